import type { FetchHandler } from "@troupe/core";

/** What the adapter needs from a registry: a gateway handler with its own mount prefix. */
export interface RegistryLike {
  handler(options: { basePath?: string }): FetchHandler;
}

export interface AstroAdapterOptions {
  /**
   * The URL prefix the actors are mounted at, as the browser sees it, e.g. `/api/actors`.
   * It must match where the route file or middleware lives (and include Astro's `base`, if set).
   */
  basePath: string;
}
