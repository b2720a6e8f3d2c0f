/**
 * Streaming, SSE, cancellation and upload checks, run against every host as part of the
 * conformance suite. Uses the `streamer` and `inbox` actors of the example registry.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createClient } from "@troupe/core/client";
import type { ExampleRegistry } from "@troupe/example";

type BaseUrl = () => string;

const unique = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Reads a body, returning each chunk's text and its arrival time relative to `t0`. */
async function timedChunks(res: Response, t0: number) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const chunks: Array<{ at: number; text: string }> = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push({ at: performance.now() - t0, text: decoder.decode(value) });
  }
  return chunks;
}

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    last = await probe();
  }
  return last;
}

export function streamingSuite(host: string, baseUrl: BaseUrl) {
  const client = () => createClient<ExampleRegistry>(baseUrl());

  describe(`${host}: streaming`, () => {
    it("a 3-chunk stream arrives chunk by chunk (first chunk long before the last is produced)", async () => {
      const handle = client().streamer.getOrCreate(unique("chunks"));
      const id = await handle.resolve();
      await handle.stats(); // wake the actor so timing measures streaming only
      const t0 = performance.now();
      const res = await fetch(`${baseUrl()}/gateway/${id}/request/chunks?n=3&interval=200`);
      const chunks = await timedChunks(res, t0);
      const text = chunks.map((c) => c.text).join("");
      expect(text.match(/chunk \d/g)).toEqual(["chunk 0", "chunk 1", "chunk 2"]);
      expect(chunks.length).toBeGreaterThanOrEqual(3);
      const first = chunks[0]!.at;
      const last = chunks[chunks.length - 1]!.at;
      expect(first).toBeLessThan(100);
      expect(last - first).toBeGreaterThan(300); // chunks were not held back and sent together
    });

    it("handle.fetch streams too", async () => {
      const handle = client().streamer.getOrCreate(unique("client-chunks"));
      await handle.stats();
      const t0 = performance.now();
      const res = await handle.fetch("/chunks?n=3&interval=200");
      const chunks = await timedChunks(res, t0);
      expect(chunks[0]!.at).toBeLessThan(100);
      expect(chunks[chunks.length - 1]!.at - chunks[0]!.at).toBeGreaterThan(300);
    });

    it("Server-Sent Events arrive one by one", async () => {
      const handle = client().streamer.getOrCreate(unique("sse"));
      await handle.stats();
      const t0 = performance.now();
      const res = await handle.fetch("/sse?n=3&interval=150");
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      const events: Array<{ at: number; data: any; id: string }> = [];
      while (events.length < 3) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            frame
              .split("\n")
              .filter((l) => !l.startsWith(":") && l.includes(":"))
              .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
          );
          if (fields.event === "tick") events.push({ at: performance.now() - t0, data: JSON.parse(fields.data), id: fields.id });
        }
      }
      await reader.cancel();
      expect(events.map((e) => e.data.i)).toEqual([0, 1, 2]);
      expect(events.map((e) => e.id)).toEqual(["0", "1", "2"]);
      // 150 ms apart when produced; batched events would arrive ~0 ms apart.
      expect(events[1]!.at - events[0]!.at).toBeGreaterThan(50);
      expect(events[2]!.at - events[1]!.at).toBeGreaterThan(50);
    });
  });

  describe(`${host}: cancellation`, () => {
    it("aborting the client mid-stream aborts request.signal, cancels the stream, fires onDisconnect once", async () => {
      const handle = client().streamer.getOrCreate(unique("abort"));
      await handle.stats();
      const controller = new AbortController();
      const res = await handle.fetch("/forever?interval=20", { signal: controller.signal });
      const reader = res.body!.getReader();
      await reader.read();
      const during = await handle.stats();
      expect(during.conns).toBe(1);
      expect(during.connects).toBe(1);
      expect(during.disconnects).toBe(0);
      const abortedAt = Date.now();
      controller.abort();
      const after = await waitFor(() => handle.stats(), (s) => s.conns === 0 && s.disconnects === 1);
      const observedIn = Date.now() - abortedAt;
      expect(after.conns).toBe(0);
      expect(after.disconnects).toBe(1);
      expect(after.aborts + after.cancels).toBeGreaterThanOrEqual(1);
      expect(observedIn).toBeLessThan(1000);
      // Nothing fires twice later.
      await new Promise((r) => setTimeout(r, 100));
      expect((await handle.stats()).disconnects).toBe(1);
    });

    it("after 1,000 aborted streams the conns map is empty and memory is back near baseline", async () => {
      const handle = client().streamer.getOrCreate(unique("abort-many"));
      const id = await handle.resolve();
      const url = `${baseUrl()}/gateway/${id}/request/forever?interval=50`;
      const one = async () => {
        const controller = new AbortController();
        const res = await fetch(url, { signal: controller.signal });
        const reader = res.body!.getReader();
        await reader.read();
        controller.abort();
        await reader.closed.catch(() => {});
      };
      const batch = async (count: number) => {
        for (let i = 0; i < count; i += 20) await Promise.all(Array.from({ length: Math.min(20, count - i) }, one));
      };
      await batch(300); // warm up allocations before taking the baseline
      const baseline = await waitFor(() => handle.stats(), (s) => s.conns === 0 && s.disconnects === s.connects);
      await batch(1000);
      const after = await waitFor(() => handle.stats(), (s) => s.conns === 0 && s.disconnects === s.connects, 5000);
      expect(after.conns).toBe(0);
      expect(after.connects - baseline.connects).toBe(1000);
      expect(after.disconnects - baseline.disconnects).toBe(1000);
      // Heap after GC (when the host runs with --expose-gc) is the meaningful figure; RSS only bounds it.
      expect(after.heapUsed - baseline.heapUsed).toBeLessThan(8 * 1024 * 1024);
      // RSS also holds memory V8 freed but kept (framework hosts grow their heap for a while):
      // a loose bound that still catches a leak per stream (e.g. 1,000 x 256 KiB zlib contexts).
      expect(after.rss - baseline.rss).toBeLessThan(128 * 1024 * 1024);
    });
  });

  describe(`${host}: uploads`, () => {
    it("a 50 MB streamed upload is hashed as it arrives, without buffering it", async () => {
      const handle = client().streamer.getOrCreate(unique("upload"));
      await handle.stats();
      const chunk = new Uint8Array(256 * 1024);
      for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7 + 3) & 0xff;
      const total = 200; // 200 x 256 KiB = 50 MiB
      const expected = createHash("sha256");
      for (let i = 0; i < total; i++) expected.update(chunk);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ === total) controller.close();
          else controller.enqueue(chunk.slice());
        },
      });
      const res = await handle.fetch("/upload", { method: "POST", body, duplex: "half" } as RequestInit);
      expect(res.status).toBe(200);
      const out = (await res.json()) as any;
      expect(out.bytes).toBe(total * chunk.length);
      expect(out.sha256).toBe(expected.digest("hex"));
      expect(out.rssPeak - out.rssBefore).toBeLessThan(25 * 1024 * 1024);
    });

    it("a body over maxRequestBodySize gets 413 payload_too_large (declared length or streamed)", async () => {
      const handle = client().inbox.getOrCreate(unique("inbox"));
      const declared = await handle.fetch("/", { method: "POST", body: new Uint8Array(100 * 1024) });
      expect(declared.status).toBe(413);
      expect(((await declared.json()) as any).error.code).toBe("payload_too_large");
      let pulls = 0;
      const streamed = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulls++ === 20) controller.close();
          else controller.enqueue(new Uint8Array(16 * 1024));
        },
      });
      const res = await handle.fetch("/", { method: "POST", body: streamed, duplex: "half" } as RequestInit);
      expect(res.status).toBe(413);
      expect(((await res.json()) as any).error.code).toBe("payload_too_large");
      const small = await handle.fetch("/", { method: "POST", body: "fits" });
      expect(await small.json()).toEqual({ bytes: 4 });
    });

    it("an actor can reject an upload with 413 before the whole body is sent", async () => {
      const handle = client().streamer.getOrCreate(unique("early"));
      await handle.stats();
      let pulled = 0;
      const slow = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (pulled++ === 100) return controller.close();
          await new Promise((r) => setTimeout(r, 50)); // 100 x 50 ms: 5 s to send it all
          controller.enqueue(new Uint8Array(64 * 1024));
        },
      });
      const t0 = Date.now();
      const res = await handle.fetch("/reject-early", { method: "POST", body: slow, duplex: "half" } as RequestInit);
      expect(res.status).toBe(413);
      expect(Date.now() - t0).toBeLessThan(2500);
      expect(pulled).toBeLessThan(100);
      await slow.cancel().catch(() => {});
    });
  });
}
