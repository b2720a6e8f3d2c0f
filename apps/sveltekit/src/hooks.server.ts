import { building } from "$app/env";
import { sequence } from "@sveltejs/kit/hooks";
import { createHandle, formOriginCheck } from "@troupe/sveltekit";
import { registry } from "#lib/server/troupe.ts";

export const handle = sequence(
  // First: it answers only under /api/actors, so the actors' requests skip the hooks after it.
  createHandle(registry, { basePath: "/api/actors", building }),
  // SvelteKit's CSRF check is off (see vite.config.ts); keep it for everything but the actors.
  formOriginCheck({ except: ["/api/actors", "/api/actors-endpoint"] }),
);
