import { createHash } from "node:crypto";
import { actor, sse } from "@troupe/core";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const memory = () =>
  (globalThis as { process?: { memoryUsage(): { rss: number; heapUsed: number } } }).process?.memoryUsage();
const heapUsed = () => memory()?.heapUsed ?? 0;
const rss = () => (globalThis as { process?: { memoryUsage(): { rss: number } } }).process?.memoryUsage().rss ?? 0;

/**
 * Streams both ways, for the streaming and cancellation tests: paced chunks, SSE, a stream
 * that only ends when the client leaves, and a hashing upload sink. It counts what it
 * observes (aborts, cancels, disconnects) in ephemeral vars, read back with the `stats` action.
 */
export const streamer = actor({
  state: {},
  options: { maxRequestBodySize: 64 * 1024 * 1024, sleepTimeout: 120_000 },
  createVars: () => ({ disconnects: 0, aborts: 0, cancels: 0, connects: 0 }),
  // Raw requests only: the `stats` action's own connection is not counted.
  onConnect(c, conn) {
    if (!conn.path.startsWith("action:")) c.vars.connects++;
  },
  onDisconnect(c, conn) {
    if (!conn.path.startsWith("action:")) c.vars.disconnects++;
  },
  actions: {
    /** Counters plus memory; collects garbage first when the process runs with --expose-gc. */
    stats: (c) => {
      (globalThis as { gc?: () => void }).gc?.();
      const conns = [...c.conns.values()].filter((conn) => !conn.path.startsWith("action:")).length;
      return { ...c.vars, conns, rss: rss(), heapUsed: heapUsed() };
    },
  },
  async onRequest(c, request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? 3);
    const interval = Number(url.searchParams.get("interval") ?? 200);
    request.signal.addEventListener("abort", () => c.vars.aborts++);

    if (url.pathname === "/chunks") {
      const encoder = new TextEncoder();
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (i > 0) await sleep(interval);
          controller.enqueue(encoder.encode(`chunk ${i} at ${Date.now()}\n`));
          if (++i === n) controller.close();
        },
        cancel: () => void c.vars.cancels++,
      });
      return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache" } });
    }

    if (url.pathname === "/sse") {
      return sse(request, async (stream) => {
        for (let i = 0; i < n && !stream.closed; i++) {
          if (i > 0) await sleep(interval);
          stream.send({ event: "tick", id: i, data: { i, at: Date.now() } });
        }
        stream.close();
      });
    }

    if (url.pathname === "/forever") {
      const encoder = new TextEncoder();
      let timer: ReturnType<typeof setInterval> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode("open\n"));
          timer = setInterval(() => controller.enqueue(encoder.encode(`tick ${Date.now()}\n`)), interval);
        },
        cancel() {
          clearInterval(timer);
          c.vars.cancels++;
        },
      });
      request.signal.addEventListener("abort", () => clearInterval(timer));
      return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache" } });
    }

    if (url.pathname === "/upload") {
      // Hash as bytes arrive; never hold the whole body.
      const hash = createHash("sha256");
      const before = rss();
      let peak = before;
      let bytes = 0;
      const reader = request.body?.getReader();
      for (;;) {
        const next = await reader?.read();
        if (!next || next.done) break;
        bytes += next.value.byteLength;
        hash.update(next.value);
        if ((bytes & 0x7fffff) < next.value.byteLength) {
          // Every 8 MiB: with --expose-gc, collect first so the peak shows retained memory, not garbage.
          (globalThis as { gc?: () => void }).gc?.();
          peak = Math.max(peak, rss());
        }
      }
      return Response.json({ bytes, sha256: hash.digest("hex"), rssBefore: before, rssPeak: Math.max(peak, rss()) });
    }

    if (url.pathname === "/reject-early") {
      // Decide from the headers alone, without reading the body.
      const length = Number(request.headers.get("content-length") ?? NaN);
      if (!(length <= 1024)) {
        return Response.json({ error: { code: "payload_too_large", message: "Uploads here are 1 KiB at most" } }, { status: 413 });
      }
      return Response.json({ ok: true });
    }

    return Response.json({ error: { code: "not_found", message: url.pathname } }, { status: 404 });
  },
});

/** A small upload limit, for the 413 tests. */
export const inbox = actor({
  state: { received: 0 },
  options: { maxRequestBodySize: 64 * 1024 },
  async onRequest(c, request) {
    const body = await request.arrayBuffer();
    c.state.received += body.byteLength;
    return Response.json({ bytes: body.byteLength });
  },
});
