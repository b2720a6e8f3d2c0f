/**
 * Next.js answers any path containing `//` with a 308 to the collapsed path before user code
 * runs, and re-serializes query strings. `keepRawUrls` (in `@troupe/next/server`) remembers the
 * raw URL, and the Node response the answer goes out on, in an AsyncLocalStorage on `globalThis`
 * (route bundles and the custom server are separate module graphs, so a module-level variable
 * would not be shared); the route handler reads them back here.
 */

/** The part of Node's `ServerResponse` used here: whether, and when, it closed. */
export interface ResponseLike {
  readonly closed: boolean;
  once(event: "close", listener: () => void): unknown;
}

/** What the custom server remembers for one request. */
export interface RawUrlRecord {
  /** `req.url` as received, e.g. `/api/actors/gateway/1/request/a//b?flag`. */
  raw: string;
  /** What Next was given instead: the same with repeated slashes collapsed. */
  collapsed: string;
  /** The Node response this request is answered on. */
  response?: ResponseLike;
}

interface RawUrlStore {
  getStore(): RawUrlRecord | undefined;
}

export const RAW_URL_STORE = Symbol.for("@troupe/next.rawUrl");

/** What the custom server knows about the request a route handler got. */
export interface RecordedRequest {
  /** The URL as the client sent it. */
  url: string;
  /** The Node response the answer goes out on. */
  response: ResponseLike | undefined;
}

/**
 * The URL as the client sent it, and the response it is answered on, when `keepRawUrls`
 * recorded this request; else `undefined`.
 */
export function recordedRequestOf(request: Request): RecordedRequest | undefined {
  const store = (globalThis as { [RAW_URL_STORE]?: RawUrlStore })[RAW_URL_STORE];
  const record = store?.getStore();
  if (record === undefined) return undefined;
  const current = request.url;
  // Nearly always Next's URL is the raw one already: same string, same request, no parsing.
  const pathStart = current.indexOf("/", current.indexOf("://") + 3);
  if (pathStart > 0 && current.length === pathStart + record.raw.length && current.endsWith(record.raw)) {
    return { url: current, response: record.response };
  }
  const url = new URL(current);
  // Only the request the server recorded (not, say, a handler called by hand) gets the raw URL.
  if (new URL(record.collapsed, url.origin).pathname !== url.pathname) return undefined;
  try {
    return { url: new URL(url.origin + record.raw).href, response: record.response };
  } catch {
    return undefined; // not a URL we can rebuild: keep what Next made of it
  }
}
