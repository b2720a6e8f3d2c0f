import type { ClosableResponse } from "./response-done.js";

/**
 * Finding the Node response a framework will write an answer to, for adapters whose framework
 * hands them only a `Request` (Next.js route handlers, Astro, SvelteKit endpoints).
 *
 * Node announces each request with its response on the diagnostics channel
 * `http.server.request.start`, synchronously, just before the server's request listener runs.
 * The subscriber enters an `AsyncLocalStorage` there, so everything the listener then does (the
 * framework's routing, the adapter) sees that response. Nothing here imports Node: the modules
 * are looked up at run time, and on other runtimes nothing is found.
 */

/** A Node `ServerResponse`, as far as the adapters need it. */
export interface NodeResponse extends ClosableResponse {
  /** The request it answers, as received. */
  readonly req?: { readonly method?: string; readonly url?: string };
}

interface Storage {
  getStore(): NodeResponse | undefined;
  enterWith(store: NodeResponse): void;
}

/** One storage and one subscription per process, however many bundles include this module. */
const CURRENT = Symbol.for("troupe.currentNodeResponse");
type Slot = { [CURRENT]?: Storage | null };

type BuiltinLoader = (id: string) => unknown;

/** Starts following Node's responses (once per process); false where that is impossible. */
export function watchNodeResponses(): boolean {
  const slot = globalThis as Slot;
  if (slot[CURRENT] === undefined) {
    const load = (globalThis as { process?: { getBuiltinModule?: BuiltinLoader } }).process?.getBuiltinModule;
    const dc = load?.("node:diagnostics_channel") as
      | { subscribe(name: string, listener: (message: unknown) => void): void }
      | undefined;
    const hooks = load?.("node:async_hooks") as { AsyncLocalStorage: new () => Storage } | undefined;
    if (dc && hooks) {
      const storage = new hooks.AsyncLocalStorage();
      dc.subscribe("http.server.request.start", (message) => {
        storage.enterWith((message as { response: NodeResponse }).response);
      });
      slot[CURRENT] = storage;
    } else {
      slot[CURRENT] = null;
    }
  }
  return slot[CURRENT] !== null;
}

/** The Node response being answered in this async context, once `watchNodeResponses()` ran. */
export function currentNodeResponse(): NodeResponse | undefined {
  return (globalThis as Slot)[CURRENT]?.getStore() ?? undefined;
}

/**
 * Whether `request` is `response`'s request as received: same method, same path and query. A
 * request the framework rewrote or re-serialized, or one made by hand, is not: its answer may not
 * be what goes out on that response.
 */
export function isRequestAsReceived(request: Request, response: NodeResponse): boolean {
  const req = response.req;
  if (req === undefined || req.method !== request.method) return false;
  const target = req.url;
  if (target === undefined || !target.startsWith("/")) return false;
  const url = request.url;
  const pathStart = url.indexOf("/", url.indexOf("://") + 3);
  return pathStart > 0 && url.length === pathStart + target.length && url.endsWith(target);
}
