import { currentNodeResponse, type FetchHandler, isRequestAsReceived, reportResponseDone, withBody } from "@troupe/core";

/**
 * Hands one request from Astro to the Troupe gateway and fixes up the answer for Astro's
 * Node server. Both adapter forms go through here.
 *
 * - Request bodies: `@astrojs/node` never discards a request body the handler left unread, so
 *   after an early answer (a 413, say) the keep-alive connection stalls mid-body and is reset
 *   later, failing the client's next request. Once the answer is done, the rest of the body is
 *   read and discarded, as Node does itself for bodies nobody started to read (Node's
 *   `server.requestTimeout` bounds a client that never stops sending).
 * - A cancelled request body is not cancelled upstream: Astro would destroy the socket, possibly
 *   before the answer is written. The rest is discarded as above instead.
 * - HEAD: the answer goes out without its body, which is cancelled so the actor sees the end.
 * - Empty 404/500 answers get an empty body stream: Astro would replace a `null` body with its
 *   own error page.
 *
 * Any other answer goes back as is when there is nothing left to discard (no request body, or
 * the handler read it to its end): the stream wrapper is only there to learn when to discard.
 *
 * Under `@astrojs/node` the gateway is also told when the answer has been sent (see
 * `watchNodeResponses` in @troupe/core), so it hands the actor's answer on as is instead of reading it back.
 */
export async function dispatch(handler: FetchHandler, request: Request): Promise<Response> {
  const tracked = trackBody(request);
  // Under @astrojs/node: the answer goes out on the Node response Node announced for this
  // request (see `watchNodeResponses` in @troupe/core), unless Astro rewrote the request.
  const nodeResponse = currentNodeResponse();
  if (nodeResponse && isRequestAsReceived(tracked.request, nodeResponse)) reportResponseDone(tracked.request, nodeResponse);
  let response: Response;
  try {
    response = await handler(tracked.request);
  } catch (err) {
    tracked.discardRest();
    throw err;
  }
  if (request.method === "HEAD") {
    await response.body?.cancel().catch(() => {});
    tracked.discardRest();
    return new Response(new Uint8Array(0), response);
  }
  if (response.body === null) {
    tracked.discardRest();
    return REROUTED_STATUSES.has(response.status) ? new Response(new Uint8Array(0), response) : response;
  }
  if (tracked.fullyRead()) return response;
  return new Response(whenDone(response.body, tracked.discardRest), response);
}

const REROUTED_STATUSES = new Set([404, 500]);

interface TrackedBody {
  request: Request;
  /** Reads and drops whatever the handler did not read. Idempotent. */
  discardRest(): void;
  /** True when there is nothing left to discard: no body, or it was read to its end. */
  fullyRead(): boolean;
}

function trackBody(request: Request): TrackedBody {
  const source = request.body;
  if (source === null) return { request, discardRest: () => {}, fullyRead: () => true };
  const reader = source.getReader();
  let ended = false;
  let discarding = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await reader.read();
        if (next.done) {
          ended = true;
          controller.close();
        } else controller.enqueue(next.value);
      },
      // The handler gave up on the body: the rest is discarded once the answer is out.
      cancel() {},
    },
    { highWaterMark: 0 },
  );
  const forwarded = withBody(request, body);

  const discardRest = () => {
    if (ended || discarding) return;
    discarding = true;
    void (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {
        /* the client went away */
      }
    })();
  };
  return { request: forwarded, discardRest, fullyRead: () => ended };
}

/** Passes `body` through unchanged and calls `done` once it ended, failed or was cancelled. */
function whenDone(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read();
          if (next.done) {
            controller.close();
            done();
          } else controller.enqueue(next.value);
        } catch (err) {
          controller.error(err);
          done();
        }
      },
      cancel(reason) {
        done();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
