import type { Handle } from "@sveltejs/kit/hooks";
import type { AnyRegistry } from "@troupe/core";
import { forRegistry } from "./request.js";
import { isUnderMount, normalizeMountPath, watchNodeResponses } from "@troupe/core";
import { reportNodeResponse } from "./response-done.js";

export interface CreateHandleOptions {
  /**
   * The mount prefix, e.g. `"/api/actors"`. Requests under it go to Troupe (which strips it);
   * everything else goes on to SvelteKit. If you set SvelteKit's `paths.base`, include it here.
   */
  basePath: string;
  /**
   * Pass `building` from `$app/env`. While SvelteKit builds and prerenders, requests pass
   * through to `resolve` so that the registry (and its storage) never starts at build time.
   */
  building?: boolean;
}

/**
 * The part of a registry an adapter needs: `handler`, and `dispatcher` when it has one (a
 * `Registry` does), which hands an actor's synchronous answer back without a promise hop.
 */
export type MountableRegistry = Pick<AnyRegistry, "handler"> & Partial<Pick<AnyRegistry, "dispatcher">>;

/**
 * A SvelteKit `handle` hook for `src/hooks.server.ts` that answers every request under
 * `basePath` with the registry and passes the rest to `resolve(event)`. Compose it with
 * `sequence` from `@sveltejs/kit/hooks` like any other hook.
 *
 * @example
 * export const handle = createHandle(registry, { basePath: "/api/actors", building });
 */
export function createHandle(registry: MountableRegistry, options: CreateHandleOptions): Handle {
  const mountPath = normalizeMountPath(options.basePath);
  // A hook may return the Response itself: SvelteKit awaits whatever it gets.
  const troupe = registry.dispatcher ? registry.dispatcher({ basePath: mountPath }) : registry.handler({ basePath: mountPath });
  if (!options.building) watchNodeResponses();
  return ({ event, resolve }) => {
    if (options.building || !isUnderMount(event.url.pathname, mountPath)) return resolve(event);
    const request = forRegistry(event.request);
    reportNodeResponse(request, event);
    return troupe(request);
  };
}
