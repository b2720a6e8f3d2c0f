/**
 * Next.js answers any path containing `//` with a 308 to the collapsed path before user code
 * runs, and re-serializes query strings. `keepRawUrls` (in `@troupe/next/server`) remembers the
 * raw URL in an AsyncLocalStorage on `globalThis` (route bundles and the custom server are
 * separate module graphs, so a module-level variable would not be shared); the route handler
 * reads it back here.
 */

/** What the custom server remembers for one request. */
export interface RawUrlRecord {
  /** `req.url` as received, e.g. `/api/actors/gateway/1/request/a//b?flag`. */
  raw: string;
  /** What Next was given instead: the same with repeated slashes collapsed. */
  collapsed: string;
}

interface RawUrlStore {
  getStore(): RawUrlRecord | undefined;
}

export const RAW_URL_STORE = Symbol.for("@troupe/next.rawUrl");

/** The URL as the client sent it when `keepRawUrls` recorded it, else `undefined`. */
export function rawUrlOf(request: Request): URL | undefined {
  const store = (globalThis as { [RAW_URL_STORE]?: RawUrlStore })[RAW_URL_STORE];
  const record = store?.getStore();
  if (record === undefined) return undefined;
  const url = new URL(request.url);
  // Only the request the server recorded (not, say, a handler called by hand) gets the raw URL.
  if (new URL(record.collapsed, url.origin).pathname !== url.pathname) return undefined;
  try {
    return new URL(url.origin + record.raw);
  } catch {
    return undefined; // not a URL we can rebuild: keep what Next made of it
  }
}
