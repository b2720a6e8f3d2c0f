/** CORS for the gateway: preflights are answered here; actor-set CORS headers always win. */

export interface CorsOptions {
  /**
   * Which origins may call the gateway from a browser. Default: reflect the request's `Origin`.
   * A list, a predicate, or `false` to send no CORS headers at all.
   */
  origin?: string[] | ((origin: string) => boolean) | false;
  /** Send `access-control-allow-credentials: true`. Default false (cookies are not sent cross-site). */
  credentials?: boolean;
  /** Preflight cache time in seconds. Default 600. */
  maxAge?: number;
  /** Response headers the browser may read. Default: none beyond the safelisted ones. */
  exposeHeaders?: string[];
}

const ALLOWED_METHODS = "GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS";

export function allowedOrigin(options: CorsOptions | undefined, origin: string | null): string | undefined {
  // "null" is what sandboxed iframes and file:// pages send: never reflect it.
  if (!origin || origin === "null") return undefined;
  const rule = options?.origin;
  if (rule === false) return undefined;
  if (rule === undefined) return origin;
  if (typeof rule === "function") return rule(origin) ? origin : undefined;
  return rule.includes(origin) || rule.includes("*") ? origin : undefined;
}

/** The answer to a CORS preflight (or a plain OPTIONS without one). */
export function preflight(request: Request, options: CorsOptions | undefined): Response {
  const headers = new Headers({ allow: ALLOWED_METHODS, vary: "Origin" });
  const origin = allowedOrigin(options, request.headers.get("origin"));
  if (origin && request.headers.has("access-control-request-method")) {
    headers.set("access-control-allow-origin", origin);
    headers.set("access-control-allow-methods", ALLOWED_METHODS);
    const asked = request.headers.get("access-control-request-headers");
    if (asked) headers.set("access-control-allow-headers", asked);
    headers.set("access-control-max-age", String(options?.maxAge ?? 600));
    if (options?.credentials) headers.set("access-control-allow-credentials", "true");
  }
  return new Response(null, { status: 204, headers });
}

/** Adds CORS headers to a cross-origin answer unless the actor already set its own. */
export function withCors(request: Request, res: Response, options: CorsOptions | undefined): Response {
  const origin = allowedOrigin(options, request.headers.get("origin"));
  if (!origin || res.headers.has("access-control-allow-origin")) return res;
  let headers: Headers;
  try {
    res.headers.set("access-control-allow-origin", origin);
    headers = res.headers;
  } catch {
    // Immutable headers (e.g. a fetched Response): copy into a new Response.
    headers = new Headers(res.headers);
    headers.set("access-control-allow-origin", origin);
    res = new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
  headers.append("vary", "Origin");
  if (options?.credentials) headers.set("access-control-allow-credentials", "true");
  if (options?.exposeHeaders?.length) headers.set("access-control-expose-headers", options.exposeHeaders.join(", "));
  return res;
}
