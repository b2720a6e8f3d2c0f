import type { AsyncLocalStorage } from "node:async_hooks";
import type { ServerResponse } from "node:http";

/**
 * Telling the gateway when the response has been sent (@troupe/core's host hook, a function under
 * `Symbol.for("troupe.onResponseDone")` on the request). Without it the gateway learns that a
 * response is finished by reading its body: a complete body is read back and a new `Response`
 * built (~10 µs per request), a streamed one goes through a wrapper.
 *
 * Astro hands routes and middleware a `Request` only, with no way back to the Node response it
 * will be written to. Node announces each request with its response on the diagnostics channel
 * `http.server.request.start`, synchronously, just before the request listener runs; the
 * subscriber enters an AsyncLocalStorage there, so everything the listener then does (Astro's
 * routing, this adapter) sees that response. On other runtimes, or without a Node server (e.g.
 * a serverless adapter), nothing is found and the gateway falls back to watching the body.
 */

const ON_RESPONSE_DONE = Symbol.for("troupe.onResponseDone");
/** One storage and one subscription per process, however many chunks bundle this module. */
const CURRENT_RESPONSE = Symbol.for("@troupe/astro.currentResponse");

type Slot = { [CURRENT_RESPONSE]?: AsyncLocalStorage<ServerResponse> | null };
type DiagnosticsChannel = typeof import("node:diagnostics_channel");
type AsyncHooks = typeof import("node:async_hooks");

/** Starts following Node's responses (once per process); false where that is impossible. */
export function watchNodeResponses(): boolean {
  const slot = globalThis as Slot;
  if (slot[CURRENT_RESPONSE] === undefined) {
    const load = globalThis.process?.getBuiltinModule;
    const dc = load?.("node:diagnostics_channel") as DiagnosticsChannel | undefined;
    const hooks = load?.("node:async_hooks") as AsyncHooks | undefined;
    if (dc && hooks) {
      const storage = new hooks.AsyncLocalStorage<ServerResponse>();
      dc.subscribe("http.server.request.start", (message) => {
        storage.enterWith((message as { response: ServerResponse }).response);
      });
      slot[CURRENT_RESPONSE] = storage;
    } else {
      slot[CURRENT_RESPONSE] = null;
    }
  }
  return slot[CURRENT_RESPONSE] !== null;
}

/**
 * Puts the host hook on `request` when it is the request of the Node response being answered
 * (same method, same path and query as received): the callback runs once that response has
 * finished or was abandoned (its `close`), also when the client went away. A rewritten or
 * self-made request is left alone.
 */
export function reportResponseDone(request: Request): void {
  const res = (globalThis as Slot)[CURRENT_RESPONSE]?.getStore();
  const req = res?.req;
  if (req === undefined || req.method !== request.method || !sameTarget(request.url, req.url)) return;
  (request as unknown as Record<symbol, unknown>)[ON_RESPONSE_DONE] = (done: () => void) => {
    if (res!.closed) done();
    else res!.once("close", done);
  };
}

/** Whether `url`'s path and query are exactly `target` (a Node `req.url`, e.g. `/a?b`). */
function sameTarget(url: string, target: string | undefined): boolean {
  if (target === undefined || !target.startsWith("/")) return false;
  const pathStart = url.indexOf("/", url.indexOf("://") + 3);
  return pathStart > 0 && url.length === pathStart + target.length && url.endsWith(target);
}
