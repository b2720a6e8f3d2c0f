// The same registry mounted a second time, as a catch-all endpoint instead of a hook.
import { toSvelteKitHandler } from "@troupe/sveltekit";
import { registry } from "#lib/server/troupe.ts";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, fallback } = toSvelteKitHandler(registry, {
  basePath: "/api/actors-endpoint",
});

// Actors tell `/a/` from `/a`: without this SvelteKit redirects away the trailing slash.
export const trailingSlash = "ignore";
