import type { AsyncLocalStorage } from "node:async_hooks";
import type { ServerResponse } from "node:http";
import type { ResponseLike } from "./raw-url.js";

/**
 * The Node response a request is answered on, under plain `next start` (no custom server): Node
 * announces each request with its response on the diagnostics channel `http.server.request.start`,
 * synchronously, just before the request listener runs; the subscriber enters an
 * AsyncLocalStorage there, so Next's handling of that request (and the route handler) sees the
 * response. On the Edge runtime, or without a Node server, nothing is found.
 */

/** One storage and one subscription per process, however many route bundles include this module. */
const CURRENT_RESPONSE = Symbol.for("@troupe/next.currentResponse");

type Slot = { [CURRENT_RESPONSE]?: AsyncLocalStorage<ServerResponse> | null };
type DiagnosticsChannel = typeof import("node:diagnostics_channel");
type AsyncHooks = typeof import("node:async_hooks");

/** Starts following Node's responses (once per process); false where that is impossible. */
export function watchNodeResponses(): boolean {
  const slot = globalThis as Slot;
  if (slot[CURRENT_RESPONSE] === undefined) {
    const load = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
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
 * The Node response being answered, when `request` is its request as received (same method, same
 * path and query); a request Next rewrote or re-serialized, or one made by hand, gets `undefined`.
 */
export function nodeResponseFor(request: Request): ResponseLike | undefined {
  const res = (globalThis as Slot)[CURRENT_RESPONSE]?.getStore();
  const req = res?.req;
  if (req === undefined || req.method !== request.method) return undefined;
  const target = req.url;
  if (target === undefined || !target.startsWith("/")) return undefined;
  const url = request.url;
  const pathStart = url.indexOf("/", url.indexOf("://") + 3);
  return pathStart > 0 && url.length === pathStart + target.length && url.endsWith(target) ? res : undefined;
}
