import { type AnyRegistry, isUnderMount, normalizeMountPath, watchNodeResponses, withBody } from "@troupe/core";
import { withoutRouterHeaders } from "./headers.js";
import { asReceived, reportingDone } from "./received.js";

export interface NextProxyOptions {
  /** The URL prefix Troupe is mounted at, e.g. `/api/actors`. Default: the registry's own `basePath`. */
  basePath?: string;
}

/**
 * Next's `proxy` function (`proxy.ts`, formerly middleware). It answers requests under the mount
 * prefix that carry no body, and returns `undefined` for everything else, which Next (or a proxy
 * of yours that calls this one first) takes as "go on": those requests reach the route handler.
 */
export type NextProxy = (request: Request) => Response | Promise<Response> | undefined;

/**
 * Serves a registry from Next's `proxy.ts`, ahead of Next's page and route lookup:
 *
 * ```ts
 * // proxy.ts
 * export const proxy = toNextProxy(registry, { basePath: "/api/actors" });
 * export const config = {
 *   matcher: [{
 *     source: "/api/actors/:path*",
 *     // Next buffers (and truncates past 10 MB) the body of any request its proxy sees:
 *     // requests with a body skip the proxy and stream through the route handler.
 *     missing: [{ type: "header", key: "content-length" }, { type: "header", key: "transfer-encoding" }],
 *   }],
 * };
 * ```
 *
 * The catch-all route from `toNextHandler` stays: it takes the requests with a body. Next runs
 * its proxy before resolving dynamic routes, so requests answered here skip that work (see
 * bench/PERFORMANCE.md, row 7a). A request with a body that reaches the proxy anyway (a matcher
 * without `missing`) is passed on to the route, with a one-time warning, since Next has buffered it.
 */
export function toNextProxy(registry: AnyRegistry, options: NextProxyOptions = {}): NextProxy {
  const basePath = normalizeMountPath(options.basePath ?? registry.config.basePath);
  const dispatch = registry.dispatcher({ basePath });
  watchNodeResponses();
  let warned = false;
  return (request) => {
    if (!isUnderMount(request.url, basePath)) return undefined;
    if (declaresBody(request.headers)) {
      if (!warned) {
        warned = true;
        console.warn(
          `[@troupe/next] A request with a body reached proxy.ts (${request.method} ${new URL(request.url).pathname}); Next buffers such bodies ` +
            "for its proxy and truncates them past proxyClientMaxBodySize. Add `missing: [{ type: \"header\", key: \"content-length\" }, " +
            '{ type: "header", key: "transfer-encoding" }]` to the matcher so they stream to the route handler.',
        );
      }
      return undefined;
    }
    const { url, response } = asReceived(request);
    // Next gives every request other than GET/HEAD a body stream, empty here: drop it.
    const forwarded = request.body === null && url === request.url ? request : withBody(request, null, url);
    const answer = dispatch(reportingDone(forwarded, response));
    return answer instanceof Promise ? answer.then(withoutRouterHeaders) : withoutRouterHeaders(answer);
  };
}

/** Whether the request says it has a body (HTTP/1.1 frames every body with one of these). */
function declaresBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  return (length !== null && length !== "0") || headers.has("transfer-encoding");
}
