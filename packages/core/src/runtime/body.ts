/**
 * Hosts that learn when a response has been sent (or the client went away) put a function under
 * this key on the incoming `Request`: it takes a callback and calls it once, then. The gateway
 * then hands the actor's response on untouched (no body wrapper, so a string body keeps the
 * host's fast path) and ends the connection's activity on that callback instead of on the last
 * chunk read. `@troupe/node`'s `serve()` sets it; other hosts need not.
 */
export const ON_RESPONSE_DONE = Symbol.for("troupe.onResponseDone");
export type OnResponseDone = (callback: () => void) => void;

/**
 * Hosts whose requests are HTTP/1.x as received put `true` under this key on the incoming
 * `Request`: there, a request without `content-length` and `transfer-encoding` has no body, so
 * the gateway need not ask `request.body` (costly in `@troupe/node`'s server library, which then
 * builds a stream of the socket). `@troupe/node`'s `serve()` sets it; other hosts need not.
 */
export const BODY_FRAMED_BY_HEADERS = Symbol.for("troupe.bodyFramedByHeaders");

/** Most chunks read ahead when checking whether a body is already complete. */
const MAX_EAGER_READS = 8;
/** Microtask hops a read may take and still count as "available now" (no I/O, no timer). */
const EAGER_HOPS = 8;
const NOT_YET = Symbol("not yet");

type Read = ReadableStreamReadResult<Uint8Array>;

/**
 * Resolves with `read`'s result if it settles within a few microtask hops, else with `NOT_YET`
 * (then `read` stays pending for the caller to await later). Waits hop by hop and stops as soon
 * as the read has settled: a complete body's chunk arrives in one or two.
 */
async function readNow(read: Promise<Read>): Promise<Read | typeof NOT_YET> {
  let settled: { value: Read } | { error: unknown } | undefined;
  read.then(
    (value) => void (settled = { value }),
    (error: unknown) => void (settled = { error }),
  );
  for (let i = 0; i < EAGER_HOPS && settled === undefined; i++) await undefined;
  if (settled === undefined) return NOT_YET;
  if ("error" in settled) throw settled.error;
  return settled.value;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let size = 0;
  for (const c of chunks) size += c.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Returns a response whose body calls `onFinish` exactly once: after the last chunk was read,
 * when the reader cancels (client went away), or when the source errors. Never rejects.
 *
 * A body that is already complete (a string, bytes, a blob: every chunk is available without
 * waiting) is read right away, `onFinish` runs at once, and the response carries the bytes, so
 * the host can send it with a `content-length` in one write. Anything still streaming (SSE, a
 * slow upstream) is passed through chunk by chunk, keeping the connection open until it ends.
 */
export async function onBodyFinished(res: Response, onFinish: () => void): Promise<Response> {
  const source = res.body;
  if (source === null) {
    onFinish();
    return res;
  }
  const reader = source.getReader();
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    onFinish();
  };
  const init = { status: res.status, statusText: res.statusText, headers: res.headers };

  const chunks: Uint8Array[] = [];
  let pending: Promise<Read> | undefined;
  try {
    for (let i = 0; i < MAX_EAGER_READS; i++) {
      pending = reader.read();
      const r = await readNow(pending);
      if (r === NOT_YET) break;
      pending = undefined;
      if (r.done) {
        finish();
        return new Response(chunks.length === 0 ? null : (concat(chunks) as Uint8Array<ArrayBuffer>), init);
      }
      chunks.push(r.value);
    }
  } catch (err) {
    // The source failed while being read ahead: send what it gave, then fail the body.
    finish();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.error(err);
      },
    });
    return new Response(body, init);
  }

  // Still streaming: hand on the chunks read so far, then the rest as it comes.
  let queued = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (queued < chunks.length) {
          controller.enqueue(chunks[queued]!);
          chunks[queued++] = undefined as unknown as Uint8Array;
          return;
        }
        try {
          const read = pending ?? reader.read();
          pending = undefined;
          const { done, value } = await read;
          if (done) {
            controller.close();
            finish();
          } else {
            controller.enqueue(value);
          }
        } catch (err) {
          controller.error(err);
          finish();
        }
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, init);
}
