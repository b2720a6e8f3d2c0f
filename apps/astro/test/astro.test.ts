/**
 * The Astro sample app, built for production and run as `node dist/server/entry.mjs`:
 * the shared conformance suite through both adapter forms (the middleware at `/api/actors`, the
 * page route at `/api/actors-route`), the browser scenarios, and Astro-specific behaviour.
 */
import { execFile } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conformanceSuite } from "@troupe/conformance";
import { createClient } from "@troupe/core/client";
import type { ExampleRegistry } from "@troupe/example";
import {
  pageScenarios,
  freePort,
  launchBrowser,
  startProcess,
  tempDir,
  type LaunchedBrowser,
  type StartedProcess,
} from "@troupe/testing";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const env = { ASTRO_TELEMETRY_DISABLED: "1", NODE_ENV: "production" };
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

let origin = "";
let server: StartedProcess | undefined;
let browser: LaunchedBrowser | undefined;
const data = tempDir("troupe-astro-data-");

/** Starts the built server on a free port (with --expose-gc, so memory checks measure retained heap). */
async function startServer() {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = await startProcess(process.execPath, ["--expose-gc", "dist/server/entry.mjs"], {
    cwd: appDir,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1", TROUPE_DATA_DIR: data.path },
    readyUrl: `${origin}/api/actors/actors?name=counter&key=ready`,
  });
}

beforeAll(async () => {
  await promisify(execFile)("pnpm", ["exec", "astro", "build"], { cwd: appDir, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  data.remove();
});

conformanceSuite("astro middleware", () => `${origin}/api/actors`);
conformanceSuite("astro route", () => `${origin}/api/actors-route`);

pageScenarios("astro", () => ({ browser, origin }));

const PREFIXES = ["/api/actors", "/api/actors-route"] as const;

async function echoId(prefix: string) {
  const res = await fetch(`${origin}${prefix}/actors`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "echo", key: [unique("echo")] }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { actorId: string }).actorId;
}

/** A raw node:http request: for headers fetch will not set (Host), and to pin the connection. */
function raw(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Uint8Array; agent?: Agent } = {},
): Promise<{ status: number; body: string; socket: unknown }> {
  return new Promise((resolve, reject) => {
    const { body, ...rest } = options;
    const req = httpRequest(`${origin}${path}`, rest, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, socket: res.socket }));
    });
    req.on("error", reject);
    if (body) req.write(body); // written before end(): sent chunked, without a content-length
    req.end();
  });
}

describe("astro: the adapter", () => {
  it("both forms strip their own prefix and hand the actor the same request", async () => {
    const seen = [];
    for (const prefix of PREFIXES) {
      const id = await echoId(prefix);
      const res = await fetch(`${origin}${prefix}/gateway/${id}/request/p%20q/r?x=%2F`);
      const echo = (await res.json()) as { url: string; pathname: string; search: string };
      expect(echo.url).toBe(`${origin}/p%20q/r?x=%2F`);
      seen.push({ pathname: echo.pathname, search: echo.search });
    }
    expect(seen[0]).toEqual({ pathname: "/p%20q/r", search: "?x=%2F" });
    expect(seen[1]).toEqual(seen[0]);
  });

  it("outside the prefixes Astro answers: its 404, and the page through the rest of the middleware chain", async () => {
    for (const path of ["/api/actorsx/actors", "/api/actors-routex/actors", "/api/actor", "/nowhere"]) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type") ?? "", path).not.toContain("application/json");
      await res.body?.cancel();
    }
    const page = await fetch(`${origin}/?key=${unique("page")}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff"); // set by the middleware after Troupe's
    expect(await page.text()).toContain('data-testid="counter-value"');
    // Troupe's own answers under the middleware prefix never reach the rest of the chain.
    const own = await fetch(`${origin}/api/actors/nowhere`);
    expect(own.status).toBe(404);
    expect(((await own.json()) as any).error.code).toBe("route_not_found");
    expect(own.headers.get("x-content-type-options")).toBeNull();
  });

  for (const prefix of PREFIXES) {
    it(`${prefix}: HEAD and plain OPTIONS reach Troupe and leave no connection open`, async () => {
      const id = await echoId(prefix);
      const head = await fetch(`${origin}${prefix}/gateway/${id}/request/head`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.getSetCookie()).toHaveLength(2);
      const options = await fetch(`${origin}${prefix}/gateway/${id}/request/x`, { method: "OPTIONS" });
      expect(options.status).toBe(204);
      expect(options.headers.get("allow")).toContain("PATCH");
      const next = (await (await fetch(`${origin}${prefix}/gateway/${id}/request/after`)).json()) as any;
      expect(next.hits).toBe(2); // HEAD reached onRequest, OPTIONS was answered by Troupe
      expect(next.conns).toEqual([expect.objectContaining({ method: "GET", path: "/after" })]);
    });

    it(`${prefix}: Astro's checkOrigin refuses cross-site form posts; same-origin and JSON pass`, async () => {
      const id = await echoId(prefix);
      const url = `${origin}${prefix}/gateway/${id}/request/csrf`;
      const crossSite = await fetch(url, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: "https://evil.example" },
        body: "x",
      });
      expect(crossSite.status).toBe(403);
      expect(await crossSite.text()).toContain("Cross-site POST form submissions are forbidden");
      const fetchMeta = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site" },
        body: "a=1",
      });
      expect(fetchMeta.status).toBe(403);
      await fetchMeta.body?.cancel();

      const sameOrigin = await fetch(url, { method: "POST", headers: { "content-type": "text/plain", origin }, body: "y" });
      expect(sameOrigin.status).toBe(200);
      expect(((await sameOrigin.json()) as any).hits).toBe(1); // the refused posts never reached the actor
      const json = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://app.example" },
        body: "{}",
      });
      expect(json.status).toBe(200);
      expect(json.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(((await json.json()) as any).hits).toBe(2);
    });

    it(`${prefix}: a body the actor stops reading does not stall the keep-alive connection`, async () => {
      const inbox = await fetch(`${origin}${prefix}/actors`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "inbox", key: [unique("inbox")] }),
      });
      const { actorId } = (await inbox.json()) as { actorId: string };
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        // The inbox reads 64 KiB of this chunked body, then answers 413; the rest is left unread.
        const early = await raw(`${prefix}/gateway/${actorId}/request/`, { method: "POST", body: new Uint8Array(300_000), agent });
        expect(early.status).toBe(413);
        const t0 = Date.now();
        const next = await raw(`${prefix}/gateway/${actorId}/request/`, { method: "POST", body: new Uint8Array(10), agent });
        expect(next.status).toBe(200);
        expect(JSON.parse(next.body)).toEqual({ bytes: 10 });
        expect(next.socket).toBe(early.socket); // the same connection, answered at once
        expect(Date.now() - t0).toBeLessThan(1000);
      } finally {
        agent.destroy();
      }
    });

    it(`${prefix}: only hosts in security.allowedDomains make it into request.url`, async () => {
      const id = await echoId(prefix);
      const port = new URL(origin).port;
      const trusted = await raw(`${prefix}/gateway/${id}/request/h`, { headers: { host: `127.0.0.1:${port}` } });
      expect(JSON.parse(trusted.body).url).toBe(`http://127.0.0.1:${port}/h`);
      const spoofed = await raw(`${prefix}/gateway/${id}/request/h`, { headers: { host: "evil.example" } });
      expect(spoofed.status).toBe(200);
      // Astro falls back to a host it controls instead of trusting an unknown Host header.
      expect(JSON.parse(spoofed.body).url).toBe(`http://localhost:${port}/h`);
    });
  }
});

// Last: it restarts the server.
describe("astro: the process", () => {
  it("SIGTERM commits the actors and exits cleanly; a restart on the same data dir has their state", async () => {
    const key = unique("persist");
    expect(await createClient<ExampleRegistry>(`${origin}/api/actors`).counter.getOrCreate(key).increment(5)).toBe(5);
    const running = server!;
    await running.stop();
    expect(await running.exited).toBe(0); // our SIGTERM handler ran (Node's default would end by signal)
    await startServer();
    expect(await createClient<ExampleRegistry>(`${origin}/api/actors-route`).counter.getOrCreate(key).get()).toBe(5);
  });
});
