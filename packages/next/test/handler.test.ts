import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient } from "@troupe/core/client";
import { createExampleRegistry, type ExampleRegistry } from "@troupe/example";
import { toNextHandler, type NextRouteHandler } from "../src/index.js";
import { keepRawUrls } from "../src/server.js";

const registry = createExampleRegistry();
const routes = toNextHandler(registry, { basePath: "/api/actors" });
const origin = "http://app.test";

async function echoActor(key: string) {
  const res = await routes.PUT(
    new Request(`${origin}/api/actors/actors`, { method: "PUT", body: JSON.stringify({ name: "echo", key: [key] }) }),
  );
  return ((await res.json()) as { actorId: string }).actorId;
}

afterAll(() => registry.shutdown());

describe("toNextHandler", () => {
  it("exports one handler per method, each answering through the registry with the mount prefix stripped", async () => {
    expect(Object.keys(routes).sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]);
    const id = await echoActor("methods");
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const) {
      const res = await routes[method](new Request(`${origin}/api/actors/gateway/${id}/request/x?y=1`, { method }));
      expect(res.status, method).toBe(200);
      if (method !== "HEAD") expect(((await res.json()) as any).pathname).toBe("/x");
    }
    const preflight = await routes.OPTIONS(
      new Request(`${origin}/api/actors/actors`, {
        method: "OPTIONS",
        headers: { origin: "https://a.example", "access-control-request-method": "PUT" },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://a.example");
  });

  it("ignores Next's route context argument", async () => {
    const handler: NextRouteHandler = routes.GET;
    const res = await handler(new Request(`${origin}/api/actors/nowhere`), { params: Promise.resolve({ path: ["nowhere"] }) });
    expect(((await res.json()) as any).error.code).toBe("route_not_found");
  });

  it("says connection: close only when it answers before the request body was read", async () => {
    const id = await echoActor("close");
    const read = await routes.POST(new Request(`${origin}/api/actors/gateway/${id}/request/x`, { method: "POST", body: "all of it" }));
    expect(read.status).toBe(200);
    expect(read.headers.get("connection")).toBeNull();
    // The manager routes have no DELETE: 405 before anyone reads the body.
    const early = await routes.DELETE(
      new Request(`${origin}/api/actors/actors`, {
        method: "DELETE",
        body: new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("never read")) }),
        duplex: "half",
      } as RequestInit),
    );
    expect(early.status).toBe(405);
    expect(early.headers.get("connection")).toBe("close");
  });
});

describe("toNextHandler: answers Next would misread", () => {
  it("removes x-middleware-* headers (Next answers 500 when a route handler's answer has them)", async () => {
    const id = await echoActor("orders");
    for (const [method, body] of [["GET"], ["POST", "x"]] as const) {
      const res = await routes[method](new Request(`${origin}/api/actors/gateway/${id}/request/router-orders`, { method, body }));
      expect(res.status, method).toBe(200);
      expect(await res.text(), method).toBe("own");
      expect([...res.headers.keys()].filter((n) => n.startsWith("x-middleware-")), method).toEqual([]);
    }
  });
});

describe("toNextHandler: what the registry receives", () => {
  const seen: Request[] = [];
  const recording = {
    handler: () => async (request: Request) => {
      seen.push(request);
      await request.body?.cancel();
      return new Response("ok");
    },
  } as unknown as Parameters<typeof toNextHandler>[0];
  const recorded = toNextHandler(recording, { basePath: "/api/actors" });

  it("a request without a body goes on as is; one with a body is copied (to track how much was read)", async () => {
    const get = new Request(`${origin}/api/actors/gateway/x/request/count`);
    await recorded.GET(get);
    expect(seen.at(-1)).toBe(get);
    const post = new Request(`${origin}/api/actors/gateway/x/request/up`, { method: "POST", body: "data" });
    await recorded.POST(post);
    expect(seen.at(-1)).not.toBe(post);
    expect(seen.at(-1)!.url).toBe(post.url);
  });
});

describe("keepRawUrls", () => {
  let server: Server;
  let base: string;
  let seenByNext: string[] = [];

  /** Stands in for Next: routes on `req.url` (collapsed by then) and calls the route handler. */
  async function fakeNext(req: IncomingMessage, res: import("node:http").ServerResponse) {
    seenByNext.push(req.url!);
    if (req.url!.includes("//")) {
      res.writeHead(308, { location: req.url!.replace(/\/{2,}/g, "/") }).end();
      return;
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(new URL(req.url!, "http://localhost"), {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream) : null,
      duplex: "half",
    } as RequestInit);
    const response = await routes[req.method as "GET"](request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  }

  beforeAll(async () => {
    server = createServer(keepRawUrls(fakeNext, { basePath: "/api/actors" }));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("gives Next the collapsed path and the actor the raw URL", async () => {
    const id = await echoActor("raw");
    seenByNext = [];
    const res = await fetch(`${base}/api/actors/gateway/${id}/request//a//b?flag&x=%41`, { method: "POST", body: "streamed" });
    const echo = (await res.json()) as any;
    expect(seenByNext).toEqual([`/api/actors/gateway/${id}/request/a/b?flag&x=%41`]);
    expect(echo.pathname).toBe("//a//b");
    expect(echo.search).toBe("?flag&x=%41");
    expect(atob(echo.bodyBase64)).toBe("streamed");
  });

  it("a GET (no body, so no request copy when the URL is unchanged) still reaches the actor with the raw URL", async () => {
    const id = await echoActor("raw-get");
    const res = await fetch(`${base}/api/actors/gateway/${id}/request//a//b?flag`);
    const echo = (await res.json()) as any;
    expect(echo.pathname).toBe("//a//b");
    expect(echo.search).toBe("?flag");
    const plain = (await (await fetch(`${base}/api/actors/gateway/${id}/request/c?x=1`)).json()) as any;
    expect(plain.pathname).toBe("/c");
    expect(plain.search).toBe("?x=1");
  });

  it("leaves paths outside the mount prefix to Next", async () => {
    seenByNext = [];
    const res = await fetch(`${base}/elsewhere//x`, { redirect: "manual" });
    expect(res.status).toBe(308);
    expect(seenByNext).toEqual(["/elsewhere//x"]);
  });
});

describe("the gateway is told when the answer has been sent (behind keepRawUrls, or under next start)", () => {
  const ON_RESPONSE_DONE = Symbol.for("troupe.onResponseDone");
  const local = createExampleRegistry();
  const seen: Request[] = [];
  const spy = {
    handler: (options: { basePath?: string }) => {
      const inner = local.handler(options);
      return (request: Request) => {
        seen.push(request);
        return inner(request);
      };
    },
  } as unknown as typeof local;
  const spied = toNextHandler(spy, { basePath: "/api/actors" });
  let server: Server;
  let plain: Server;
  let base = "";
  let plainBase = "";

  /** Stands in for Next: the route's answer streamed to `res`, cancelled when `res` closes. */
  async function streamingNext(req: IncomingMessage, res: import("node:http").ServerResponse) {
    // A trailing `&reserialized` stands in for a query Next re-serializes: not the request as received.
    const response = await spied.GET(new Request(new URL(req.url!.replace(/&reserialized$/, "&reserialized="), "http://localhost")));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    const reader = response.body!.getReader();
    res.once("close", () => void reader.cancel().catch(() => {}));
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      res.write(value);
    }
    res.end();
  }

  beforeAll(async () => {
    server = createServer(keepRawUrls(streamingNext, { basePath: "/api/actors" }));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/actors`;
    plain = createServer(streamingNext); // like `next start`: no custom server
    await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
    plainBase = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/api/actors`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    plain.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => plain.close(() => r()));
    await local.shutdown(0);
  });

  const streamer = (key: string) => createClient<ExampleRegistry>(local).streamer.getOrCreate(key);

  it("the request carries the host hook (also with a raw URL), and the connection ends once the answer is out", async () => {
    const id = await streamer("done").resolve();
    seen.length = 0;
    const res = await fetch(`${base}/gateway/${id}/request/chunks?n=2&interval=10`);
    expect((await res.text()).match(/chunk \d/g)).toEqual(["chunk 0", "chunk 1"]);
    // A raw URL (`//`) makes the handler copy the request: the copy carries the hook too.
    await (await fetch(`${base}/gateway/${id}/request//chunks?n=1`)).text();
    expect(seen).toHaveLength(2);
    for (const request of seen) expect(typeof (request as unknown as Record<symbol, unknown>)[ON_RESPONSE_DONE]).toBe("function");
    await vi.waitFor(async () => expect(await streamer("done").stats()).toMatchObject({ conns: 0, connects: 2, disconnects: 2 }));
  });

  for (const server of ["keepRawUrls", "plain"] as const) {
    it(`${server}: a client that leaves mid-stream ends the actor's connection (onDisconnect, once)`, async () => {
      const key = `leave-${server}`;
      const id = await streamer(key).resolve();
      const abort = new AbortController();
      seen.length = 0;
      const res = await fetch(`${server === "plain" ? plainBase : base}/gateway/${id}/request/forever?interval=20`, { signal: abort.signal });
      await res.body!.getReader().read();
      expect(typeof (seen[0] as unknown as Record<symbol, unknown>)[ON_RESPONSE_DONE]).toBe("function");
      expect(await streamer(key).stats()).toMatchObject({ conns: 1, disconnects: 0 });
      abort.abort();
      await vi.waitFor(async () => expect(await streamer(key).stats()).toMatchObject({ conns: 0, disconnects: 1, cancels: 1 }));
    });
  }

  it("under next start, a request Next re-serialized gets no hook and still ends its connection", async () => {
    const id = await streamer("reserialized").resolve();
    seen.length = 0;
    await (await fetch(`${plainBase}/gateway/${id}/request/chunks?n=1&reserialized`)).text();
    expect((seen[0] as unknown as Record<symbol, unknown>)[ON_RESPONSE_DONE]).toBeUndefined();
    await vi.waitFor(async () => expect(await streamer("reserialized").stats()).toMatchObject({ conns: 0, disconnects: 1 }));
  });

  it("a handler called outside the custom server gets no hook", async () => {
    seen.length = 0;
    await spied.GET(new Request(`${origin}/api/actors/actors?name=counter&key=x`));
    expect((seen[0] as unknown as Record<symbol, unknown>)[ON_RESPONSE_DONE]).toBeUndefined();
  });
});
