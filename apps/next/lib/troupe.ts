import type { AuthHook } from "@troupe/core";
import { createClient } from "@troupe/core/client";
import { createExampleRegistry, type ExampleRegistry } from "@troupe/example";
import { createSqliteStore } from "@troupe/node";

/** Where the registry is mounted: `app/api/actors/[...path]/route.ts`. */
export const ACTORS_BASE_PATH = "/api/actors";

/**
 * The public gateway never serves per-user actors (key `["user", id]`): those are reached only
 * in-process, through routes that take the user id from the verified session (app/api/me).
 * In-process calls are trusted server code and skip this hook.
 */
const auth: AuthHook = (_request, { key }) => key?.[0] !== "user";

function createRegistry(): ExampleRegistry {
  const registry = createExampleRegistry({ basePath: ACTORS_BASE_PATH, auth });
  // Opened (and locked) on the first request, not here: `next build` and the helper processes of
  // `next dev` evaluate this module too, and must not take the data directory from the server.
  return registry.useStore(() => createSqliteStore({ dataDir: process.env.TROUPE_DATA_DIR ?? ".troupe" }));
}

// Next may evaluate this module once per route bundle; one registry per process lives on globalThis.
const slot = globalThis as typeof globalThis & { __troupeRegistry?: ExampleRegistry };

/** The one example registry of this server process, stored in SQLite under TROUPE_DATA_DIR (default `.troupe/`). */
export const registry: ExampleRegistry = (slot.__troupeRegistry ??= createRegistry());

/** In-process client for server code (route handlers, Server Actions): no HTTP hop. */
export const client = createClient<ExampleRegistry>(registry);
