import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import { RAW_URL_STORE, type RawUrlRecord } from "./raw-url.js";

export interface KeepRawUrlsOptions {
  /** Only requests under this prefix are affected, e.g. `/api/actors`. */
  basePath: string;
}

type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * For a custom Next.js server: requests under `basePath` reach the actors with their URL exactly
 * as sent. Without it, Next answers paths containing `//` with a 308 to the collapsed path, and
 * re-serializes query strings (`?flag` becomes `?flag=`, `%41` becomes `A`).
 *
 * ```js
 * const handle = app.getRequestHandler();
 * createServer(keepRawUrls(handle, { basePath: "/api/actors" })).listen(port);
 * ```
 *
 * Next (and its proxy/middleware) sees the path with repeated slashes collapsed; the route made
 * by `toNextHandler` hands the raw URL to Troupe. It also learns which Node response the answer
 * goes out on, so Troupe is told when it has been sent (instead of reading the answer back).
 */
export function keepRawUrls<L extends NodeListener>(listener: L, options: KeepRawUrlsOptions): L {
  const store = rawUrlStore();
  const base = options.basePath.replace(/\/+$/, "");
  const wrapped = (req: IncomingMessage, res: ServerResponse) => {
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const collapsedPath = (q < 0 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, "/");
    if (collapsedPath !== base && !collapsedPath.startsWith(base + "/")) return listener(req, res);
    const collapsed = collapsedPath + (q < 0 ? "" : raw.slice(q));
    req.url = collapsed;
    return store.run({ raw, collapsed, response: res }, () => listener(req, res));
  };
  return wrapped as L;
}

function rawUrlStore(): AsyncLocalStorage<RawUrlRecord> {
  const slot = globalThis as { [RAW_URL_STORE]?: AsyncLocalStorage<RawUrlRecord> };
  return (slot[RAW_URL_STORE] ??= new AsyncLocalStorage<RawUrlRecord>());
}
