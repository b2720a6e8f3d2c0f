/**
 * The adapter's own decisions, checked without a SvelteKit server: which requests it takes,
 * what it passes on, and the form-origin rule. The sample app's test (apps/sveltekit) runs the
 * same code inside a real production SvelteKit server.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestEvent } from "@sveltejs/kit";
import { createClient } from "@troupe/core/client";
import { createExampleRegistry, type ExampleRegistry } from "@troupe/example";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createHandle, formOriginCheck, toSvelteKitHandler } from "../src/index.js";
import { forRegistry } from "../src/request.js";

const registry = createExampleRegistry();
const APP = "http://app.test";

/** What a `handle` hook receives, for a request to `APP + path`. */
function hookInput(path: string, init?: RequestInit) {
  const request = new Request(APP + path, init);
  const event = { request, url: new URL(request.url), isRemoteRequest: false } as unknown as RequestEvent;
  const resolved: RequestEvent[] = [];
  const resolve = async (e: RequestEvent) => {
    resolved.push(e);
    return new Response("from sveltekit");
  };
  return { event, resolve, resolved };
}

async function putCounter(fetchAt: (path: string, init: RequestInit) => Promise<Response>, key: string) {
  const res = await fetchAt("/actors", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "counter", key: [key] }),
  });
  return { status: res.status, body: (await res.json()) as { actorId: string; key: string[] } };
}

describe("createHandle", () => {
  const handle = createHandle(registry, { basePath: "/api/actors" });
  const via = (path: string, init?: RequestInit) => {
    const input = hookInput(path, init);
    return { ...input, response: Promise.resolve(handle(input)) };
  };

  it("answers under the mount path and strips it", async () => {
    const { response, resolved } = via("/api/actors/actors", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "counter", key: ["hook"] }),
    });
    const res = await response;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "counter", key: ["hook"] });
    expect(resolved).toHaveLength(0);
  });

  it("uses the registry's dispatcher when it has one: a synchronous answer comes back as is, not in a promise", async () => {
    const answer = new Response("sync");
    const syncRegistry = {
      handler: () => async () => new Response("via handler"),
      dispatcher: () => () => answer,
    };
    const result = createHandle(syncRegistry, { basePath: "/api/actors" })(hookInput("/api/actors/gateway/x/request/y"));
    expect(result).toBe(answer);
    // Without one, the handler's promise.
    const handlerOnly = createHandle({ handler: syncRegistry.handler }, { basePath: "/api/actors" });
    expect(await (await handlerOnly(hookInput("/api/actors/gateway/x/request/y"))).text()).toBe("via handler");
  });

  it("passes everything else to resolve, including paths that only share the prefix", async () => {
    for (const path of ["/", "/api", "/api/actorsx", "/api/actors-other/actors", "/other/api/actors"]) {
      const { response, resolved } = via(path);
      expect(await (await response).text(), path).toBe("from sveltekit");
      expect(resolved, path).toHaveLength(1);
    }
  });

  it("passes everything through while building (prerendering), without starting the registry", async () => {
    const idle = createExampleRegistry();
    const building = createHandle(idle, { basePath: "/api/actors", building: true });
    const input = hookInput("/api/actors/actors?name=counter&key=x");
    expect(await (await building(input)).text()).toBe("from sveltekit");
    expect(idle.hasStore).toBe(false);
  });

  it("accepts the mount path with or without slashes", async () => {
    for (const basePath of ["api/actors", "/api/actors/", "api/actors//"]) {
      const h = createHandle(registry, { basePath });
      const { event, resolve } = hookInput("/api/actors/actors/" + "0".repeat(32));
      const res = await h({ event, resolve });
      expect(res.status, basePath).toBe(404);
      expect(((await res.json()) as any).error.code, basePath).toBe("actor_not_found");
    }
  });

  it('basePath "/" mounts the registry at the root', async () => {
    const root = createHandle(registry, { basePath: "/" });
    const { event, resolve, resolved } = hookInput("/actors/" + "0".repeat(32));
    expect((await root({ event, resolve })).status).toBe(404);
    expect(resolved).toHaveLength(0);
  });
});

describe("toSvelteKitHandler", () => {
  const handlers = toSvelteKitHandler(registry, { basePath: "/api/actors" });

  it("exports every method SvelteKit dispatches by name, plus fallback, all reaching the registry", async () => {
    expect(Object.keys(handlers).sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "fallback"]);
    const created = await putCounter((path, init) => handlers.PUT({ request: new Request(APP + "/api/actors" + path, init) }), "endpoint");
    expect(created.status).toBe(200);
    const got = await handlers.GET({ request: new Request(`${APP}/api/actors/actors/${created.body.actorId}`) });
    expect(await got.json()).toEqual({ actorId: created.body.actorId, name: "counter", key: ["endpoint"] });
    const preflight = await handlers.OPTIONS({
      request: new Request(`${APP}/api/actors/actors`, {
        method: "OPTIONS",
        headers: { origin: "https://x.example", "access-control-request-method": "PUT" },
      }),
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://x.example");
  });
});

describe("forRegistry", () => {
  it("keeps the raw URL, method, headers and signal, and streams the body", async () => {
    const abort = new AbortController();
    const original = new Request(`${APP}/api/actors/gateway/x/request/a%2Fb/%E2%9C%93?q=%2F`, {
      method: "PATCH",
      headers: { "x-custom": "yes" },
      body: "hello",
      signal: abort.signal,
    });
    const passed = forRegistry(original);
    expect(passed.url).toBe(original.url);
    expect(passed.method).toBe("PATCH");
    expect(passed.headers.get("x-custom")).toBe("yes");
    expect(await passed.text()).toBe("hello");
    const other = forRegistry(new Request(APP, { method: "POST", body: "x", signal: abort.signal }));
    abort.abort();
    expect(other.signal.aborted).toBe(true);
  });

  it("returns body-less requests unchanged", () => {
    const get = new Request(APP + "/x");
    expect(forRegistry(get)).toBe(get);
  });

  it("cancelling the body releases the source instead of cancelling it", async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(new Uint8Array(1024)),
      cancel: () => void (cancelled = true),
    });
    const original = new Request(APP, { method: "POST", body: source, duplex: "half" } as RequestInit);
    const passed = forRegistry(original);
    const reader = passed.body!.getReader();
    expect((await reader.read()).value?.byteLength).toBe(1024);
    await reader.cancel(new Error("too large"));
    expect(cancelled).toBe(false);
    expect(original.body!.locked).toBe(false); // SvelteKit can still drain the rest
  });
});

describe("formOriginCheck", () => {
  const check = formOriginCheck({ except: ["/api/actors"], trustedOrigins: ["https://pay.example"] });
  const status = async (path: string, init: RequestInit) => {
    const { event, resolve } = hookInput(path, init);
    return (await check({ event, resolve })).status;
  };
  const form = (headers: Record<string, string>, method = "POST"): RequestInit => ({ method, headers, body: "a=1" });

  it("refuses cross-site form-like writes to the app, like SvelteKit", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(await status("/", form({ "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" }, method)), method).toBe(403);
    }
    expect(await status("/", form({ "content-type": "Text/Plain; charset=utf-8", origin: "https://evil.example" }))).toBe(403);
    expect(await status("/", form({ "content-type": "multipart/form-data; boundary=x" }))).toBe(403);
    expect(await status("/", { method: "POST" })).toBe(403); // no content type, no origin
  });

  it("lets same-origin and trusted form posts, JSON, and reads through", async () => {
    expect(await status("/", form({ "content-type": "application/x-www-form-urlencoded", origin: APP }))).toBe(200);
    expect(await status("/", form({ "content-type": "text/plain", origin: "https://pay.example" }))).toBe(200);
    expect(await status("/", form({ "content-type": "application/json", origin: "https://evil.example" }))).toBe(200);
    expect(await status("/", { method: "GET", headers: { origin: "https://evil.example" } })).toBe(200);
  });

  it("leaves the Troupe mount alone", async () => {
    expect(await status("/api/actors/gateway/x/request/y", form({ "content-type": "text/plain", origin: "https://evil.example" }))).toBe(200);
    expect(await status("/api/actors", { method: "POST" })).toBe(200);
    expect(await status("/api/actorsx", { method: "POST" })).toBe(403);
  });

  it("answers JSON to clients that ask for it", async () => {
    const { event, resolve } = hookInput("/", form({ "content-type": "text/plain", accept: "application/json" }));
    const res = await check({ event, resolve });
    expect(await res.json()).toEqual({ message: "Cross-site POST form submissions are forbidden" });
  });
});

describe("under adapter-node: the gateway is told when the answer has been sent", () => {
  const ON_RESPONSE_DONE = Symbol.for("troupe.onResponseDone");
  const local = createExampleRegistry();
  const seen: Request[] = [];
  // The example registry, recording the requests the adapter hands it.
  const spy = {
    handler: (options: { basePath?: string }) => {
      const inner = local.handler(options);
      return (request: Request) => {
        seen.push(request);
        return inner(request);
      };
    },
  };
  const handle = createHandle(spy, { basePath: "/api/actors" });
  let server: Server;
  let base = "";

  /** Stands in for adapter-node: `platform: { req }`, the answer streamed to `res`, cancelled when it closes. */
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers: req.headers as Record<string, string> });
      const event = { request, url: new URL(request.url), platform: { req }, isSubRequest: false, isRemoteRequest: false } as unknown as RequestEvent;
      const response = await handle({ event, resolve: async () => new Response("from sveltekit") });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      const reader = response.body!.getReader();
      res.once("close", () => void reader.cancel().catch(() => {}));
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done) break;
        res.write(value);
      }
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/actors`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await local.shutdown(0);
  });

  const stats = (key: string) => createClient<ExampleRegistry>(local).streamer.getOrCreate(key).stats();

  it("hands the registry a request carrying the host hook, and the connection ends once the answer is out", async () => {
    const id = await createClient<ExampleRegistry>(local).streamer.getOrCreate("done").resolve();
    seen.length = 0;
    const res = await fetch(`${base}/gateway/${id}/request/chunks?n=2&interval=10`);
    expect((await res.text()).match(/chunk \d/g)).toEqual(["chunk 0", "chunk 1"]);
    expect(typeof (seen[0] as unknown as Record<symbol, unknown>)[ON_RESPONSE_DONE]).toBe("function");
    await vi.waitFor(async () => expect(await stats("done")).toMatchObject({ conns: 0, connects: 1, disconnects: 1 }));
  });

  it("a client that leaves mid-stream ends the actor's connection (onDisconnect, once)", async () => {
    const id = await createClient<ExampleRegistry>(local).streamer.getOrCreate("leave").resolve();
    const abort = new AbortController();
    const res = await fetch(`${base}/gateway/${id}/request/forever?interval=20`, { signal: abort.signal });
    const reader = res.body!.getReader();
    await reader.read();
    expect(await stats("leave")).toMatchObject({ conns: 1, disconnects: 0 });
    abort.abort();
    await vi.waitFor(async () => expect(await stats("leave")).toMatchObject({ conns: 0, disconnects: 1, cancels: 1 }));
  });

  it("no hook without the Node request, or for SvelteKit's in-process sub-requests", async () => {
    seen.length = 0;
    for (const extra of [{}, { platform: { req: {} } }, { platform: { req: undefined }, isSubRequest: true }]) {
      const { event, resolve } = hookInput("/api/actors/actors?name=counter&key=x");
      await handle({ event: { ...event, ...extra } as RequestEvent, resolve });
    }
    expect(seen).toHaveLength(3);
    for (const request of seen) expect((request as unknown as Record<symbol, unknown>)[ON_RESPONSE_DONE]).toBeUndefined();
  });
});
