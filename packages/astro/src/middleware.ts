import { isUnderMount, normalizeMountPath, watchNodeResponses } from "@troupe/core";
import type { MiddlewareHandler } from "astro";
import { dispatch } from "./dispatch.js";
import type { AstroAdapterOptions, RegistryLike } from "./options.js";

/**
 * An Astro middleware that answers every request under `basePath` from the registry and
 * calls `next()` for everything else. Use it in `src/middleware.ts`, alone or in `sequence()`:
 *
 * ```ts
 * export const onRequest = sequence(createMiddleware(registry, { basePath: "/api/actors" }), auth);
 * ```
 *
 * No page or route file is needed under the prefix. Middleware placed after it in the
 * sequence never sees the actors' requests; place it before to wrap them.
 */
export function createMiddleware(registry: RegistryLike, options: AstroAdapterOptions): MiddlewareHandler {
  const basePath = normalizeMountPath(options.basePath);
  const handler = registry.handler({ basePath });
  watchNodeResponses();
  return ({ request }, next) => (isUnderMount(request.url, basePath) ? dispatch(handler, request) : next());
}
