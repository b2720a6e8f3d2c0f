import { normalizeMountPath, watchNodeResponses } from "@troupe/core";
import type { APIRoute } from "astro";
import { dispatch } from "./dispatch.js";
import type { AstroAdapterOptions, RegistryLike } from "./options.js";

/**
 * An Astro API route serving the registry, for a catch-all file such as
 * `src/pages/api/actors/[...path].ts`:
 *
 * ```ts
 * export const prerender = false;
 * export const ALL = toAstroHandler(registry, { basePath: "/api/actors" });
 * ```
 *
 * Astro hands every method to `ALL`, HEAD and OPTIONS included. The request goes through
 * untouched: raw URL, headers, the streamed body and the abort signal.
 */
export function toAstroHandler(registry: RegistryLike, options: AstroAdapterOptions): APIRoute {
  const handler = registry.handler({ basePath: normalizeMountPath(options.basePath) });
  watchNodeResponses();
  return ({ request }) => dispatch(handler, request);
}
