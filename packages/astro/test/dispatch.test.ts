/**
 * The adapter behind Astro's own Node bridge (`createRequestFromNodeRequest` / `writeResponse`
 * from `astro/app/node`, exactly what `@astrojs/node` runs), on a real loopback server: request
 * bodies an actor leaves unread, actors that cancel them, and the middleware's pass-through.
 */
import { createServer, request as httpRequest, Agent, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { APIContext } from "astro";
import { createRequestFromNodeRequest, writeResponse } from "astro/app/node";
import { actor, setup } from "@troupe/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMiddleware, toAstroHandler } from "../src/index.js";

/** Reads the first chunk of the body, then answers: the rest stays on the wire. */
const partial = actor({
  state: {},
  async onRequest(_c, request) {
    const reader = request.body!.getReader();
    const first = await reader.read();
    if (new URL(request.url).pathname === "/cancel") await reader.cancel();
    return Response.json({ firstChunk: first.value?.byteLength ?? 0 });
  },
});
const blank = actor({ state: {}, onRequest: () => new Response(null, { status: 404 }) });

const registry = setup({ use: { partial, blank } });
const route = toAstroHandler(registry, { basePath: "/api/actors" });
let server: Server;
let port = 0;
let partialId = "";

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const request = createRequestFromNodeRequest(req, { bodySizeLimit: 1 << 30 });
    await writeResponse(await route({ request } as APIContext), res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  const res = await fetch(`http://127.0.0.1:${port}/api/actors/actors`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "partial", key: ["p"] }),
  });
  partialId = ((await res.json()) as { actorId: string }).actorId;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await registry.shutdown();
});

interface Answer {
  status: number;
  body: string;
  socket: Socket;
}

/** POSTs `chunks` (sent chunked, `gapMs` apart) over `agent`; resolves with the answer. */
function post(path: string, agent: Agent, chunks: Uint8Array[], gapMs = 0): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let socket: Socket;
    const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body, socket }));
    });
    req.once("socket", (s: Socket) => (socket = s));
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to POST ${path} in 10 s`)));
    req.on("error", (err) => (req.writableEnded ? undefined : reject(err)));
    void (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        req.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      if (!req.destroyed) req.end();
    })();
  });
}

const megabytes = (n: number) => Array.from({ length: n * 16 }, () => new Uint8Array(64 * 1024));

describe("@troupe/astro on Astro's Node bridge", () => {
  it("a body the actor stopped reading is discarded: the keep-alive connection serves the next request", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await post(`/api/actors/gateway/${partialId}/request/read-one`, agent, megabytes(0.5));
      expect(first.status).toBe(200);
      const t0 = Date.now();
      const second = await post(`/api/actors/gateway/${partialId}/request/read-one`, agent, [new Uint8Array(10)]);
      expect(second.status).toBe(200);
      expect(JSON.parse(second.body)).toEqual({ firstChunk: 10 });
      expect(second.socket).toBe(first.socket);
      expect(Date.now() - t0).toBeLessThan(1000); // not after Node's 5 s keep-alive timeout
    } finally {
      agent.destroy();
    }
  });

  it("an actor cancelling the body still gets its answer out, and the connection stays usable", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const cancelled = await post(`/api/actors/gateway/${partialId}/request/cancel`, agent, megabytes(0.5));
      expect(cancelled.status).toBe(200);
      expect(JSON.parse(cancelled.body).firstChunk).toBeGreaterThan(0);
      const next = await post(`/api/actors/gateway/${partialId}/request/read-one`, agent, [new Uint8Array(5)]);
      expect(JSON.parse(next.body)).toEqual({ firstChunk: 5 });
      expect(next.socket).toBe(cancelled.socket);
    } finally {
      agent.destroy();
    }
  });

  it("a slow upload is answered at once; the rest is dropped as it arrives and the connection is reused", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // 20 chunks, 50 ms apart: one second to send it all.
      const t0 = Date.now();
      const answer = await post(`/api/actors/gateway/${partialId}/request/read-one`, agent, megabytes(20 / 16), 50);
      expect(answer.status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(500);
      const next = await post(`/api/actors/gateway/${partialId}/request/read-one`, agent, [new Uint8Array(3)]);
      expect(JSON.parse(next.body)).toEqual({ firstChunk: 3 });
      expect(next.socket).toBe(answer.socket);
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      agent.destroy();
    }
  });

  it("empty 404 answers keep a (zero-length) body so Astro does not swap in its error page", async () => {
    const blankId = (await (await registry.manager()).getOrCreate("blank", ["b"], undefined)).record.actorId;
    const res = await route({ request: new Request(`http://h/api/actors/gateway/${blankId}/request/`) } as APIContext);
    expect(res.status).toBe(404);
    expect(res.body).not.toBeNull();
    expect(await res.text()).toBe("");
  });

  it("the middleware answers under its prefix and calls next() elsewhere", async () => {
    const middleware = createMiddleware(registry, { basePath: "/api/actors-mw" });
    const fromNext = new Response("page");
    const next = async () => fromNext;
    const context = (url: string) => ({ request: new Request(url) }) as APIContext;
    expect(await middleware(context("http://h/about"), next)).toBe(fromNext);
    expect(await middleware(context("http://h/api/actors-mwx/actors"), next)).toBe(fromNext);
    const own = (await middleware(context("http://h/api/actors-mw/actors?name=partial&key=p"), next)) as Response;
    expect(own.status).toBe(200);
    expect(((await own.json()) as { actorId: string }).actorId).toBe(partialId);
  });
});
