import type { RequestEvent } from "@sveltejs/kit";
import { forRegistry } from "./request.js";
import { normalizeMountPath, watchNodeResponses } from "@troupe/core";
import { type NodeEventLike, reportNodeResponse } from "./response-done.js";
import type { MountableRegistry } from "./handle.js";

/**
 * A `+server.ts` method handler; it reads `event.request` (and, under adapter-node,
 * `event.platform.req` to learn when the answer has been sent), so it fits any route's `RequestHandler`.
 */
export type TroupeRequestHandler = (event: Pick<RequestEvent, "request"> & NodeEventLike) => Promise<Response>;

/** One handler per method SvelteKit dispatches by name, plus `fallback` for any other method. */
export interface SvelteKitHandlers {
  GET: TroupeRequestHandler;
  HEAD: TroupeRequestHandler;
  POST: TroupeRequestHandler;
  PUT: TroupeRequestHandler;
  PATCH: TroupeRequestHandler;
  DELETE: TroupeRequestHandler;
  OPTIONS: TroupeRequestHandler;
  fallback: TroupeRequestHandler;
}

export interface ToSvelteKitHandlerOptions {
  /** The route's own prefix, e.g. `"/api/actors"` for `src/routes/api/actors/[...path]/+server.ts` (plus `paths.base` if set). */
  basePath: string;
}

/**
 * Method exports for a catch-all endpoint, e.g. `src/routes/api/actors/[...path]/+server.ts`:
 *
 * @example
 * export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, fallback } =
 *   toSvelteKitHandler(registry, { basePath: "/api/actors" });
 * export const trailingSlash = "ignore"; // keep `/a/` and `/a` distinct for the actors
 */
export function toSvelteKitHandler(registry: MountableRegistry, options: ToSvelteKitHandlerOptions): SvelteKitHandlers {
  const troupe = registry.handler({ basePath: normalizeMountPath(options.basePath) });
  watchNodeResponses();
  const handler: TroupeRequestHandler = (event) => {
    const request = forRegistry(event.request);
    reportNodeResponse(request, event);
    return troupe(request);
  };
  return {
    GET: handler,
    HEAD: handler,
    POST: handler,
    PUT: handler,
    PATCH: handler,
    DELETE: handler,
    OPTIONS: handler,
    fallback: handler,
  };
}
