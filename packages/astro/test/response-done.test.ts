/**
 * Under Astro's Node bridge (`createRequestFromNodeRequest` / `writeResponse`, what `@astrojs/node`
 * runs) the adapter tells the gateway when the answer has been sent (@troupe/core's host hook):
 * the actor's connection then ends when the response closes, also when the client leaves.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIContext, MiddlewareHandler } from "astro";
import { createRequestFromNodeRequest, writeResponse } from "astro/app/node";
import { actor, setup } from "@troupe/core";
import { createClient } from "@troupe/core/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createMiddleware, toAstroHandler } from "../src/index.js";

const ON_RESPONSE_DONE = Symbol.for("troupe.onResponseDone");

/** Counts its raw-request connections; `/once` answers a string, `/forever` streams until cancelled. */
const tap = actor({
  state: {},
  createVars: () => ({ connects: 0, disconnects: 0, cancels: 0 }),
  onConnect: (c, conn) => void (conn.path.startsWith("action:") || c.vars.connects++),
  onDisconnect: (c, conn) => void (conn.path.startsWith("action:") || c.vars.disconnects++),
  actions: {
    stats: (c) => ({ ...c.vars, conns: [...c.conns.values()].filter((conn) => !conn.path.startsWith("action:")).length }),
  },
  onRequest(c, request) {
    if (new URL(request.url).pathname === "/once") return new Response("once");
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("open\n"));
        timer = setInterval(() => controller.enqueue(new TextEncoder().encode("tick\n")), 20);
      },
      cancel() {
        clearInterval(timer);
        c.vars.cancels++;
      },
    });
    return new Response(body);
  },
});

const registry = setup({ use: { tap } });
const seen: Request[] = [];
const spy = {
  handler: (options: { basePath?: string }) => {
    const inner = registry.handler(options);
    return (request: Request) => {
      seen.push(request);
      return inner(request);
    };
  },
};
const route = toAstroHandler(spy, { basePath: "/api/actors" });
const middleware: MiddlewareHandler = createMiddleware(spy, { basePath: "/api/actors-mw" });
const client = createClient<typeof registry>(registry);
let server: Server;
let origin = "";

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let request = createRequestFromNodeRequest(req, { bodySizeLimit: 1 << 30 });
    // Stands in for an Astro rewrite: a request that is not the one received.
    if (req.url!.endsWith("?rewrite")) request = new Request(request.url.replace("?rewrite", "?rewritten"), request);
    const answer = req.url!.startsWith("/api/actors-mw/")
      ? (middleware({ request } as Parameters<MiddlewareHandler>[0], async () => new Response("next")) as Promise<Response>)
      : route({ request } as APIContext);
    await writeResponse(await answer, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await registry.shutdown();
});

const hooked = (request: Request | undefined) => typeof (request as unknown as Record<symbol, unknown>)[ON_RESPONSE_DONE] === "function";

describe.each(["/api/actors", "/api/actors-mw"])("%s", (prefix) => {
  it("the request carries the host hook, and the connection ends once the answer is out", async () => {
    const handle = client.tap.getOrCreate(`done${prefix}`);
    const id = await handle.resolve();
    seen.length = 0;
    expect(await (await fetch(`${origin}${prefix}/gateway/${id}/request/once`)).text()).toBe("once");
    expect(seen.map(hooked)).toEqual([true]);
    await vi.waitFor(async () => expect(await handle.stats()).toMatchObject({ conns: 0, connects: 1, disconnects: 1 }));
  });

  it("a client that leaves mid-stream ends the actor's connection (onDisconnect, once)", async () => {
    const handle = client.tap.getOrCreate(`leave${prefix}`);
    const id = await handle.resolve();
    const abort = new AbortController();
    const res = await fetch(`${origin}${prefix}/gateway/${id}/request/forever`, { signal: abort.signal });
    await res.body!.getReader().read();
    expect(await handle.stats()).toMatchObject({ conns: 1, disconnects: 0 });
    abort.abort();
    await vi.waitFor(async () => expect(await handle.stats()).toMatchObject({ conns: 0, disconnects: 1, cancels: 1 }));
  });
});

it("a request other than the one received (a rewrite) gets no hook and still ends its connection", async () => {
  const handle = client.tap.getOrCreate("rewrite");
  const id = await handle.resolve();
  seen.length = 0;
  expect(await (await fetch(`${origin}/api/actors/gateway/${id}/request/once?rewrite`)).text()).toBe("once");
  expect(seen.map(hooked)).toEqual([false]);
  await vi.waitFor(async () => expect(await handle.stats()).toMatchObject({ conns: 0, disconnects: 1 }));
});

it("a handler called outside any request gets no hook", async () => {
  seen.length = 0;
  await route({ request: new Request(`${origin}/api/actors/actors?name=tap&key=x`) } as APIContext);
  expect(seen.map(hooked)).toEqual([false]);
});
