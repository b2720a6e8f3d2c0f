import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actor, Forbidden, setup, Unauthorized, type AuthContext } from "../src/index.js";
import { createClient } from "../src/client/index.js";
import { listen } from "./http.js";

const notes = actor({
  state: { owner: "", text: "" },
  createState: (_c: unknown, input: { owner: string }) => ({ owner: input?.owner ?? "", text: "" }),
  options: { requestTimeout: 200, maxInFlight: 3 },
  async onRequest(c, request) {
    const path = new URL(request.url).pathname;
    if (path === "/hang") return new Promise<Response>(() => {});
    if (path === "/slow") {
      await new Promise((r) => setTimeout(r, 100));
      return new Response("slow");
    }
    if (path === "/throw") throw new Error("db password is hunter2");
    return Response.json({ headers: Object.fromEntries(request.headers) });
  },
  actions: {
    write(c, text: string) {
      c.state.text = text;
      return c.state.text;
    },
  },
});
const plain = actor({ state: {}, onRequest: () => new Response("plain") });

const seen: AuthContext[] = [];
/** Users are `Bearer <name>`; a user may only touch `notes` actors whose key starts with their name. */
const registry = setup({
  use: { notes, plain },
  maxActorsPerName: 12,
  limits: { maxUrlLength: 2048, maxHeaderSize: 8 * 1024 },
  auth(request, ctx) {
    seen.push(ctx);
    const user = /^Bearer (\w+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (ctx.name === "plain") return true;
    if (!user) throw new Unauthorized("Sign in first");
    if (ctx.name === "notes" && ctx.key?.[0] !== user) throw new Forbidden("Not your notes");
    if (ctx.action === "destroy" && user !== "admin") return false;
  },
});
const devRegistry = setup({ use: { notes }, dev: true });

let server: Awaited<ReturnType<typeof listen>>;
let devServer: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  server = await listen(registry.fetch);
  devServer = await listen(devRegistry.fetch);
});
afterAll(async () => {
  await server.close();
  await devServer.close();
});

const as = (user?: string) => createClient<typeof registry>(server.url, user ? { headers: { authorization: `Bearer ${user}` } } : {});
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe("registry-level auth", () => {
  it("guards manager routes: 401 without credentials, 403 for someone else's actor", async () => {
    const put = (user: string | undefined, key: string[]) =>
      fetch(`${server.url}/actors`, {
        method: "PUT",
        headers: { "content-type": "application/json", ...(user ? { authorization: `Bearer ${user}` } : {}) },
        body: JSON.stringify({ name: "notes", key, input: { owner: key[0] } }),
      });
    const anon = await put(undefined, ["alice", "todo"]);
    expect(anon.status).toBe(401);
    expect(await errorOf(anon)).toEqual({ code: "unauthorized", message: "Sign in first" });
    const mallory = await put("mallory", ["alice", "todo"]);
    expect(mallory.status).toBe(403);
    expect((await errorOf(mallory)).code).toBe("forbidden");
    const alice = await put("alice", ["alice", "todo"]);
    expect(alice.status).toBe(200);
    const lookup = await fetch(`${server.url}/actors?name=notes&key=alice&key=todo`, { headers: { authorization: "Bearer bob" } });
    expect(lookup.status).toBe(403);
  });

  it("guards the gateway: a guessed or replayed actor id is useless without the owner's credentials", async () => {
    const id = await as("alice").notes.getOrCreate(["alice", "diary"], { input: { owner: "alice" } }).resolve();
    expect(await as("alice").notes.getForId(id).write("secret")).toBe("secret");
    await expect(as("bob").notes.getForId(id).write("pwned")).rejects.toMatchObject({ status: 403, code: "forbidden" });
    const raw = await fetch(`${server.url}/gateway/${id}/request/anything`);
    expect(raw.status).toBe(401);
    expect((await as("bob").notes.getForId(id).fetch("/")).status).toBe(403);
    expect(seen.some((c) => c.action === "action" && c.actionName === "write" && c.actorId === id)).toBe(true);
  });

  it("describe and destroy are guarded; returning false answers 403", async () => {
    const id = await as("carol").notes.getOrCreate(["carol"], { input: { owner: "carol" } }).resolve();
    const describe = await fetch(`${server.url}/actors/${id}`, { headers: { authorization: "Bearer carol" } });
    expect(describe.status).toBe(200);
    const destroy = await fetch(`${server.url}/actors/${id}`, { method: "DELETE", headers: { authorization: "Bearer carol" } });
    expect(destroy.status).toBe(403);
    expect((await fetch(`${server.url}/actors/${id}`, { headers: { authorization: "Bearer carol" } })).status).toBe(200);
  });

  it("the in-process client is trusted server code: the hook guards the network, not it", async () => {
    const local = createClient(registry);
    const before = seen.length;
    expect(await local.notes.getOrCreate(["zoe"], { input: { owner: "zoe" } }).write("from the server")).toBe("from the server");
    expect(seen.length).toBe(before);
  });

  it("CORS preflights are not guarded (browsers send no credentials on them)", async () => {
    const id = await as("dave").notes.getOrCreate(["dave"], { input: { owner: "dave" } }).resolve();
    const res = await fetch(`${server.url}/gateway/${id}/request/x`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(res.status).toBe(204);
  });

  it("per-actor onBeforeConnect still applies after the registry hook", async () => {
    const res = await as("erin").plain.getOrCreate("p").fetch("/");
    expect(await res.text()).toBe("plain");
  });
});

describe("limits", () => {
  it("request timeout -> 504 request_timeout; the actor keeps serving", async () => {
    const h = as("frank").notes.getOrCreate(["frank"], { input: { owner: "frank" } });
    const res = await h.fetch("/hang");
    expect(res.status).toBe(504);
    expect((await errorOf(res)).code).toBe("request_timeout");
    expect((await h.fetch("/ok")).status).toBe(200);
  });

  it("too many in-flight requests per actor -> 503 actor_overloaded with retry-after", async () => {
    const h = as("gina").notes.getOrCreate(["gina"], { input: { owner: "gina" } });
    await h.resolve();
    const results = await Promise.all(Array.from({ length: 6 }, () => h.fetch("/slow")));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    const rejected = results.filter((r) => r.status === 503);
    expect(rejected).toHaveLength(3);
    expect(rejected[0]!.headers.get("retry-after")).toBe("1");
    expect((await errorOf(rejected[0]!)).code).toBe("actor_overloaded");
  });

  it("URL too long -> 414 uri_too_long; headers too large -> 431", async () => {
    const long = await fetch(`${server.url}/actors?name=notes&key=${"x".repeat(3000)}`, { headers: { authorization: "Bearer x" } });
    expect(long.status).toBe(414);
    expect((await errorOf(long)).code).toBe("uri_too_long");
    const big = await fetch(`${server.url}/actors?name=plain`, { headers: { "x-big": "y".repeat(9000) } });
    expect(big.status).toBe(431);
    expect((await errorOf(big)).code).toBe("request_header_fields_too_large");
  });

  it("actors per name -> 429 too_many_actors", async () => {
    const client = as("hank");
    for (let i = 0; i < 12; i++) await client.plain.getOrCreate(`p${i}`).resolve().catch(() => {});
    const res = await fetch(`${server.url}/actors`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "plain", key: ["one-too-many"] }),
    });
    expect(res.status).toBe(429);
    expect((await errorOf(res)).code).toBe("too_many_actors");
  });
});

describe("no leaks", () => {
  it("internal x-troupe-* and hop-by-hop headers never reach onRequest", async () => {
    const id = await as("ivan").notes.getOrCreate(["ivan"], { input: { owner: "ivan" } }).resolve();
    // node:http, because fetch itself refuses to send hop-by-hop headers.
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${server.url}/gateway/${id}/request/`, {
        headers: {
          authorization: "Bearer ivan",
          "x-troupe-internal": "1",
          "x-troupe-conn-params": "{}",
          "x-keep": "yes",
          "keep-alive": "timeout=5",
          te: "trailers",
          connection: "keep-alive, x-drop-me",
          "x-drop-me": "1",
        },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve(text));
      });
      req.on("error", reject);
      req.end();
    });
    const { headers } = JSON.parse(body) as { headers: Record<string, string> };
    expect(headers["x-keep"]).toBe("yes");
    const leaked = Object.keys(headers).filter((k) => k.startsWith("x-troupe-") || ["keep-alive", "te", "connection", "x-drop-me"].includes(k));
    expect(leaked).toEqual([]);
  });

  it("masks internal errors in production, shows them in development", async () => {
    const prod = await as("jane").notes.getOrCreate(["jane"], { input: { owner: "jane" } }).fetch("/throw");
    expect(prod.status).toBe(500);
    const err = (await prod.json()) as any;
    expect(err.error).toEqual({ code: "internal_error", message: "Internal error" });
    const dev = await createClient<typeof devRegistry>(devServer.url).notes.getOrCreate(["x"], { input: { owner: "x" } }).fetch("/throw");
    const devErr = (await dev.json()) as any;
    expect(devErr.error.message).toContain("hunter2");
    expect(devErr.error.stack).toContain("hardening.test.ts");
  });
});
