import { withBody } from "@troupe/core";

/**
 * The request handed to the registry: the same method, URL (percent-encoding untouched),
 * headers, signal and streamed body, except that cancelling the body releases it instead.
 *
 * SvelteKit's Node request body (`@sveltejs/kit/node`, used by adapter-node and the Vite
 * dev/preview servers) destroys the socket when the body stream is cancelled. An actor or the
 * gateway cancels an upload it refuses (e.g. a streamed body over `maxRequestBodySize`), and the
 * client would then see a connection reset instead of the 413. Released rather than cancelled,
 * the unread rest is discarded by SvelteKit once the response is sent and the connection lives on.
 */
export function forRegistry(request: Request): Request {
  const source = request.body;
  if (source === null) return request;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        reader ??= source.getReader();
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel() {
        reader?.releaseLock();
      },
    },
    // Read only when the consumer asks: back-pressure reaches the socket.
    { highWaterMark: 0 },
  );
  return withBody(request, body);
}
