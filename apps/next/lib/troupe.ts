import { PHASE_PRODUCTION_BUILD } from "next/constants";
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
  // `next build` loads route modules to read their config: open (and lock) the database only when serving.
  if (process.env.NEXT_PHASE !== PHASE_PRODUCTION_BUILD) {
    registry.useStore(createSqliteStore({ dataDir: process.env.TROUPE_DATA_DIR ?? ".troupe" }));
  }
  return registry;
}

// Next may evaluate this module once per route bundle; one registry per process lives on globalThis.
const slot = globalThis as typeof globalThis & { __troupeRegistry?: ExampleRegistry };

/** The one example registry of this server process, stored in SQLite under TROUPE_DATA_DIR (default `.troupe/`). */
export const registry: ExampleRegistry = (slot.__troupeRegistry ??= createRegistry());

/** In-process client for server code (route handlers, Server Actions): no HTTP hop. */
export const client = createClient<ExampleRegistry>(registry);
