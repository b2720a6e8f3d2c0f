import { ON_RESPONSE_DONE } from "../runtime/body.js";

/**
 * The part of a host's response the response-done hook needs; Node's `ServerResponse` (and
 * `Http2ServerResponse`) fit.
 */
export interface ClosableResponse {
  /** True once the response has been sent or abandoned. */
  readonly closed: boolean;
  once(event: "close", listener: () => void): unknown;
}

/**
 * Tells the gateway when the answer to `request` is done: it will be written to `response`, and
 * the hook (`Symbol.for("troupe.onResponseDone")`) calls back once `response` closes, whether it
 * was sent or the client left. The gateway then hands the actor's `Response` on untouched and
 * ends the actor's connection on that callback. Hosts and adapters call this; returns `request`.
 */
export function reportResponseDone(request: Request, response: ClosableResponse): Request {
  (request as unknown as Record<symbol, unknown>)[ON_RESPONSE_DONE] = (done: () => void) => {
    if (response.closed) done();
    else response.once("close", done);
  };
  return request;
}
