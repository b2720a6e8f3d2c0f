import { createExampleRegistry, type ExampleRegistry } from "@troupe/example";
import { createSqliteStore } from "@troupe/node";

/** Where the actors answer: the page route `src/pages/api/actors/[...path].ts`. */
export const ACTORS_PATH = "/api/actors";
/** The same registry mounted a second time by `src/middleware.ts`, to show the middleware form. */
export const ACTORS_MIDDLEWARE_PATH = "/api/actors-mw";

const holder = globalThis as typeof globalThis & { __troupeRegistry?: ExampleRegistry };

/**
 * The one registry of this server process. Astro may load this module from more than one
 * chunk (a page, an endpoint, the middleware): keeping it on `globalThis` makes them share it.
 */
export const registry: ExampleRegistry = (holder.__troupeRegistry ??= createRegistry());

function createRegistry(): ExampleRegistry {
  const created = createExampleRegistry();
  created.useStore(createSqliteStore({ dataDir: process.env.TROUPE_DATA_DIR ?? ".troupe" }));
  // The Node adapter's server does not handle signals: commit every actor and close the store on the way out.
  const stop = () => void created.shutdown(5_000).finally(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return created;
}
