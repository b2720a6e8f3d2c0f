import { type AnyRegistry, watchNodeResponses, withBody } from "@troupe/core";
import { trackBody } from "./body.js";
import { editHeaders, withoutRouterHeaders } from "./headers.js";
import { asReceived, reportingDone } from "./received.js";

export interface NextHandlerOptions {
  /**
   * The URL prefix the route file lives at, e.g. `/api/actors` for
   * `app/api/actors/[...path]/route.ts`. Default: the registry's own `basePath`.
   * If next.config sets `basePath`, include it here too (Next keeps it in `request.url`).
   */
  basePath?: string;
}

/**
 * A Next.js route handler. The second argument is Next's route context
 * (`{ params: Promise<...> }`); Troupe routes from the URL alone, so any context is accepted.
 */
export type NextRouteHandler = (request: Request, context?: unknown) => Promise<Response>;

/** The exports of `app/<mount>/[...path]/route.ts`: one handler for every HTTP method. */
export interface NextRouteHandlers {
  GET: NextRouteHandler;
  HEAD: NextRouteHandler;
  POST: NextRouteHandler;
  PUT: NextRouteHandler;
  PATCH: NextRouteHandler;
  DELETE: NextRouteHandler;
  OPTIONS: NextRouteHandler;
}

/**
 * Serves a registry from a Next.js App Router catch-all route:
 *
 * ```ts
 * // app/api/actors/[...path]/route.ts
 * export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandler(registry, { basePath: "/api/actors" });
 * ```
 *
 * HEAD and OPTIONS are exported too, so Troupe (not Next's automatic answers) handles them.
 * The body streams through, and `request.signal` aborts when the client disconnects. Behind a
 * custom server using `keepRawUrls` (`@troupe/next/server`), URLs arrive exactly as sent.
 */
export function toNextHandler(registry: AnyRegistry, options: NextHandlerOptions = {}): NextRouteHandlers {
  const fetch = registry.handler(options.basePath === undefined ? {} : { basePath: options.basePath });
  watchNodeResponses();
  const handle: NextRouteHandler = async (request) => {
    const { url, response } = asReceived(request);
    // Nothing to change (no body, URL as sent): Next's request goes on as is, saving a copy.
    if (request.body === null && url === request.url) return withoutRouterHeaders(await fetch(reportingDone(request, response)));
    const tracked = trackBody(request);
    const forwarded = withBody(request, tracked.body, url);
    const answer = withoutRouterHeaders(await fetch(reportingDone(forwarded, response)));
    return tracked.complete() ? answer : closeAfter(answer);
  };
  return { GET: handle, HEAD: handle, POST: handle, PUT: handle, PATCH: handle, DELETE: handle, OPTIONS: handle };
}

/** Marks an answer sent before the request body was fully read: the connection ends after it. */
function closeAfter(response: Response): Response {
  return editHeaders(response, (headers) => headers.set("connection", "close"));
}
