import { createExampleRegistry, type ExampleRegistry } from "@troupe/example";
import { createSqliteStore } from "@troupe/node";

/**
 * Where the actors answer: the middleware in `src/middleware.ts`. It answers before Astro loads a
 * page module or resolves a dynamic route's params, so it costs less per request than the page
 * route (see the `@troupe/astro` README).
 */
export const ACTORS_PATH = "/api/actors";
/** The same registry mounted a second time by the page route `src/pages/api/actors-route/[...path].ts`, to show that form. */
export const ACTORS_ROUTE_PATH = "/api/actors-route";

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
