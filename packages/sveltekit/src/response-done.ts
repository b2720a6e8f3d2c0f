import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Telling the gateway when the response has been sent (@troupe/core's host hook, a function under
 * `Symbol.for("troupe.onResponseDone")` on the request). Without it the gateway learns that a
 * response is finished by reading its body: a complete body is read back and a new `Response`
 * built (~10 µs per request), a streamed one goes through a wrapper.
 *
 * adapter-node gives hooks and endpoints the Node request (`event.platform.req`), not the response.
 * Node announces each request with its response on the diagnostics channel
 * `http.server.request.start` (same tick, before the request listener runs); the pair is kept
 * here, by request. Elsewhere (other adapters, the Vite dev server without `platform`, another
 * runtime) nothing is found and the gateway falls back to watching the body.
 */

const ON_RESPONSE_DONE = Symbol.for("troupe.onResponseDone");
/** One map and one subscription per process, however many chunks bundle this module. */
const RESPONSES = Symbol.for("@troupe/sveltekit.nodeResponses");

type Slot = { [RESPONSES]?: WeakMap<IncomingMessage, ServerResponse> | null };
type DiagnosticsChannel = typeof import("node:diagnostics_channel");

/** Starts recording Node's request/response pairs (once per process); false where that is impossible. */
export function watchNodeResponses(): boolean {
  const slot = globalThis as Slot;
  if (slot[RESPONSES] === undefined) {
    const dc = globalThis.process?.getBuiltinModule?.("node:diagnostics_channel") as DiagnosticsChannel | undefined;
    if (dc) {
      const map = new WeakMap<IncomingMessage, ServerResponse>();
      dc.subscribe("http.server.request.start", (message) => {
        const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
        map.set(request, response);
      });
      slot[RESPONSES] = map;
    } else {
      slot[RESPONSES] = null;
    }
  }
  return slot[RESPONSES] !== null;
}

/** The part of a SvelteKit `RequestEvent` this needs (adapter-node's `platform` is `{ req }`). */
export interface NodeEventLike {
  platform?: unknown;
  /** True for `event.fetch` calls SvelteKit answers in process: their answer is not what goes out on `req`'s response. */
  isSubRequest?: boolean;
}

/**
 * Puts the host hook on `request` when the event came from a Node server SvelteKit runs on and
 * this answer is the one sent on its response: the callback runs once that response has
 * finished or was abandoned (its `close`), also when the client went away.
 */
export function reportResponseDone(request: Request, event: NodeEventLike): void {
  if (event.isSubRequest) return;
  const req = (event.platform as { req?: IncomingMessage } | undefined)?.req;
  if (req === undefined) return;
  const res = (globalThis as Slot)[RESPONSES]?.get(req);
  if (res === undefined) return;
  (request as unknown as Record<symbol, unknown>)[ON_RESPONSE_DONE] = (done: () => void) => {
    if (res.closed) done();
    else res.once("close", done);
  };
}
