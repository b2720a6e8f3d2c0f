import { watchNodeResponses } from "@troupe/core";
import type { MiddlewareHandler } from "astro";
import { dispatch } from "./dispatch.js";
import { type AstroAdapterOptions, normalizeBasePath, type RegistryLike } from "./options.js";

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
  const basePath = normalizeBasePath(options.basePath);
  const handler = registry.handler({ basePath });
  watchNodeResponses();
  return ({ request }, next) => (isUnder(request.url, basePath) ? dispatch(handler, request) : next());
}

/** True when the raw path of `url` is `basePath` or below it (`/api/actors`, `/api/actors/...`). */
export function isUnder(url: string, basePath: string): boolean {
  if (basePath === "") return true;
  const schemeEnd = url.indexOf("://");
  const pathStart = url.indexOf("/", schemeEnd < 0 ? 0 : schemeEnd + 3);
  if (pathStart < 0) return false;
  if (!url.startsWith(basePath, pathStart)) return false;
  const after = url.charAt(pathStart + basePath.length);
  return after === "" || after === "/" || after === "?" || after === "#";
}
