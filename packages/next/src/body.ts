/**
 * Tracks whether a request body was read to its end. Node drops the connection when a handler
 * stops reading a body half-way (e.g. an early 413), so such answers must say
 * `connection: close` or the client would reuse a socket that is about to go away.
 */
export interface TrackedBody {
  /** The body to hand on (the original one when there is nothing to track). */
  body: ReadableStream<Uint8Array> | null;
  /** True once the body was read to its end (or there was none). */
  complete(): boolean;
}

export function trackBody(request: Request): TrackedBody {
  const source = request.body;
  if (source === null || request.method === "GET" || request.method === "HEAD" || request.headers.get("content-length") === "0") {
    return { body: null, complete: () => true };
  }
  const reader = source.getReader();
  let done = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await reader.read();
        if (next.done) {
          done = true;
          controller.close();
        } else {
          controller.enqueue(next.value);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return { body, complete: () => done };
}
