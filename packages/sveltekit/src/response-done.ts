import { currentNodeResponse, reportResponseDone } from "@troupe/core";

/** The part of a SvelteKit `RequestEvent` this needs (adapter-node's `platform` is `{ req }`). */
export interface NodeEventLike {
  platform?: unknown;
  /** True for `event.fetch` calls SvelteKit answers in process: their answer is not what goes out on `req`'s response. */
  isSubRequest?: boolean;
}

/**
 * Tells the gateway when the answer has been sent, when the event came from adapter-node and this
 * answer is the one written to its Node response: that response is the one Node announced for
 * `event.platform.req` (`watchNodeResponses` in @troupe/core). Elsewhere (other adapters, the
 * Vite dev server without `platform`, another runtime) the gateway falls back to watching the body.
 */
export function reportNodeResponse(request: Request, event: NodeEventLike): void {
  if (event.isSubRequest) return;
  const req = (event.platform as { req?: unknown } | undefined)?.req;
  if (req === undefined) return;
  const response = currentNodeResponse();
  if (response !== undefined && response.req === req) reportResponseDone(request, response);
}
