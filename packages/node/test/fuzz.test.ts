/**
 * Property-based fuzzing of the gateway on the standalone host: 10,000 generated requests with
 * hostile methods, paths, headers, bodies, ids and keys, sent raw with node:http.
 * Invariants: the server never crashes, never answers 5xx (every request here is a client's
 * doing), every error is JSON with a code, a request never reaches another actor than the one
 * its URL addresses, and the state of actors the fuzzer cannot legitimately change is unchanged.
 */
import { request as httpRequest } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actor, setup } from "@troupe/core";
import { createClient } from "@troupe/core/client";
import { tempDir } from "@troupe/testing";
import { serve, type TroupeServer } from "../src/index.js";

const RUNS = Number(process.env.TROUPE_FUZZ_RUNS ?? 10_000);

// Answers with its own id, so the test can tell which actor a request reached.
const target = actor({
  state: { secret: "", writes: 0 },
  createState: (_c: unknown, input: { secret?: string } | undefined) => ({ secret: String(input?.secret ?? ""), writes: 0 }),
  async onRequest(c, request) {
    await request.arrayBuffer().catch(() => undefined);
    return new Response(null, { status: 200, headers: { "x-actor-id": c.actorId } });
  },
  actions: {
    whoami: (c) => c.actorId,
    get: (c) => c.state.secret,
    // Guarded by a token the fuzzer never generates: the sentinels' state must never change.
    set(c, token: unknown, value: unknown) {
      if (token !== "only-the-test-knows-this") return false;
      c.state.secret = String(value);
      c.state.writes++;
      return true;
    },
  },
});

const registry = setup({ use: { target } });
let server: TroupeServer;
let host: string;
const dataDir = tempDir("troupe-fuzz-");
const sentinels: Array<{ id: string; secret: string }> = [];

beforeAll(async () => {
  server = await serve(registry, { port: 0, handleSignals: false, dataDir: dataDir.path });
  host = server.url;
  const client = createClient<typeof registry>(host);
  for (let i = 0; i < 4; i++) {
    const secret = `sentinel-${i}-${Math.random()}`;
    const id = await client.target.getOrCreate(["sentinel", String(i)], { input: { secret } }).resolve();
    sentinels.push({ id, secret });
  }
});
afterAll(async () => {
  await server?.close();
  dataDir.remove();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string>, body: Uint8Array | undefined): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(host + "/", { method, path, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    // Always frame the body: Node's client omits content-length for some methods (TRACE, OPTIONS,
    // DELETE), and the server would then read the body as the next request.
    if (body && method !== "GET" && method !== "HEAD") {
      req.setHeader("content-length", body.byteLength);
      req.end(body);
    }
    else req.end();
  });
}

// ---- generators ----
const segment = fc.oneof(
  fc.constantFrom("", ".", "..", "%2e%2e", "%2E.", "%2F", "%5C", "%00", "%zz", "%", "a%2Fb", "~", "actors", "gateway", "request", "action"),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: "grapheme", maxLength: 6 }).map(encodeURIComponent),
  fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{0,10}$/),
);
const randomId = fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), segment);
const anyId = () => fc.oneof(fc.constantFrom(...sentinels.map((s) => s.id)), randomId);
const tail = fc.array(segment, { maxLength: 5 }).map((parts) => parts.join("/"));
const query = fc.oneof(
  fc.constant(""),
  fc.array(fc.tuple(fc.constantFrom("name", "key", "x", "q"), fc.string({ maxLength: 10 })), { maxLength: 4 }).map(
    (pairs) => "?" + pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&"),
  ),
  fc.stringMatching(/^\?[A-Za-z0-9%&=+]{0,20}$/),
);
const path = () =>
  fc
    .tuple(
      fc.oneof(
        fc.constant("/actors"),
        // Random ids only: DELETE /actors/{id} on a sentinel would be a legitimate destroy.
        randomId.map((id) => `/actors/${id}`),
        fc.tuple(anyId(), tail).map(([id, t]) => `/gateway/${id}/request/${t}`),
        fc.tuple(anyId(), fc.constantFrom("whoami", "get", "set", "nope", "__proto__", "constructor", "toString", "hasOwnProperty", "")).map(
          ([id, name]) => `/gateway/${id}/action/${name}`,
        ),
        tail.map((t) => `/${t}`),
        fc.constant("/" + "a".repeat(9000)),
      ),
      query,
    )
    .map(([p, q]) => p + q);
const method = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "TRACE");
const jsonBody = fc.oneof(
  fc.record({ name: fc.constantFrom("target", "nope", ""), key: fc.oneof(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), fc.jsonValue()) }),
  fc.record({ args: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.jsonValue()) }),
  fc.jsonValue(),
);
const body = fc.oneof(
  fc.constant(undefined),
  jsonBody.map((v) => new TextEncoder().encode(JSON.stringify(v) ?? "null")),
  fc.uint8Array({ maxLength: 256 }),
  fc.string({ maxLength: 64 }).map((s) => new TextEncoder().encode(s)),
);
const headers = fc.record(
  {
    "content-type": fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "garbage/\u00e9"),
    "x-troupe-conn-params": fc.oneof(fc.constant("{"), fc.jsonValue().map((v) => JSON.stringify(v) ?? "null")),
    origin: fc.constantFrom("https://evil.example", "null", "http://127.0.0.1"),
    "x-random": fc.string({ maxLength: 40 }),
    "last-event-id": fc.string({ maxLength: 8 }),
  },
  { requiredKeys: [] },
);

/** Only characters Node's client allows in a header value. */
const cleanHeaders = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.replace(/[^\t\x20-\x7e]/g, "?")]));

/** The actor a URL addresses, as the server's URL parser will read it. */
function addressedActor(rawPath: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(rawPath, "http://h").pathname;
  } catch {
    return undefined;
  }
  const m = /^\/gateway\/([^/]+)\/request(\/|$)/.exec(pathname);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

describe("gateway fuzzing (fast-check)", () => {
  it(`${RUNS} generated requests break no invariant`, async () => {
    let count = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(method, path(), headers, body, async (m, p, h, b) => {
        const res = await send(m, p, cleanHeaders(h), b);
        count++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        // Never a server error for a client's request.
        expect(res.status, `${m} ${p} -> ${res.status} ${res.body.slice(0, 300)}`).toBeLessThan(500);
        // Every error is JSON with a stable code (HEAD answers carry no body).
        if (res.status >= 400 && m !== "HEAD") {
          const parsed = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
          expect(typeof parsed.error?.code, `${m} ${p}: ${res.body.slice(0, 200)}`).toBe("string");
          expect(typeof parsed.error?.message).toBe("string");
        }
        // A request that reached an actor reached the one its URL names.
        const reached = res.headers["x-actor-id"];
        if (reached !== undefined) expect(reached).toBe(addressedActor(p));
      }),
      { numRuns: RUNS, seed: Number(process.env.TROUPE_FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
    expect(count).toBe(RUNS);
    // The host survived and still serves; the sentinels' state is untouched.
    const client = createClient<typeof registry>(host);
    for (const s of sentinels) {
      expect(await client.target.getForId(s.id).get()).toBe(s.secret);
      expect(await client.target.getForId(s.id).whoami()).toBe(s.id);
    }
    // The generators really exercised success and error paths.
    const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    expect(ok).toBeGreaterThan(RUNS / 50);
    expect(statuses.has(404) && statuses.has(400) && statuses.has(405)).toBe(true);
  }, 600_000);
});
