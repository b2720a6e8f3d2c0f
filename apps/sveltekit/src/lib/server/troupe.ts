import { building } from "$app/env";
import { createExampleRegistry, type ExampleRegistry } from "@troupe/example";
import { createSqliteStore } from "@troupe/node";

const REGISTRY = Symbol.for("troupe.app-sveltekit.registry");
const holder = globalThis as { [REGISTRY]?: ExampleRegistry };

/**
 * The one registry of this process. Kept on `globalThis` so that every server chunk (and every
 * dev-server reload of this module) shares it instead of starting a second set of actors.
 */
export const registry: ExampleRegistry = (holder[REGISTRY] ??= createRegistry());

function createRegistry(): ExampleRegistry {
  const registry = createExampleRegistry();
  // `vite build` imports server modules to analyse them: open no database (and take no lock) then.
  if (building) return registry;
  registry.useStore(createSqliteStore({ dataDir: process.env.TROUPE_DATA_DIR ?? ".troupe" }));
  // adapter-node emits this once the HTTP server has closed after SIGINT/SIGTERM:
  // commit every live actor and close the store before the process ends.
  process.once("sveltekit:shutdown", () => void registry.shutdown());
  return registry;
}
