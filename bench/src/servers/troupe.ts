// Troupe under load. Usage: node troupe.ts '<json TroupeServerConfig>'
//   host "serve": the real standalone host, `serve()` from @troupe/node;
//   host "hono" | "whatwg" | "srvx": `registry.fetch` behind that library (to pick the Node host's library).
// Creates `actors` actors of `actor` first and writes their request paths to `pathsFile`.
// Prints `ready <url>`; on SIGUSR2 prints `stats <json>` (wakes, live actors, memory).
import { writeFileSync } from "node:fs";
import { MemoryStore, setup } from "@troupe/core";
import { serve } from "@troupe/node";
import { benchActors, wakes } from "../actors.ts";
import { createServer, listenAndAnnounce, nodeListener, type Library } from "./listen.ts";

export interface TroupeServerConfig {
  host: "serve" | Library;
  store: "memory" | "sqlite";
  dataDir?: string;
  actor: keyof typeof benchActors;
  actors: number;
  /** Path inside the actor, e.g. `/ok` or `/increment`. */
  path: string;
  pathsFile: string;
}

const config = JSON.parse(process.argv[2]!) as TroupeServerConfig;
const registry = setup({ use: benchActors, logger: { debug() {}, info() {} } });

let url: string;
if (config.host === "serve") {
  const server = await serve(registry, { port: 0, store: config.store, dataDir: config.dataDir, handleSignals: true });
  url = server.url;
} else {
  if (config.store !== "memory") throw new Error("library comparison runs use the memory store");
  registry.useStore(new MemoryStore());
  url = await listenAndAnnounce(createServer(nodeListener(config.host, registry.fetch)), { announce: false });
}

// Create the actors through the public HTTP API of the gateway (in-process), 500 at a time.
const paths: string[] = [];
for (let i = 0; i < config.actors; i += 500) {
  const batch = Array.from({ length: Math.min(500, config.actors - i) }, (_, j) =>
    registry
      .fetch(
        new Request(`${url}/actors`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: config.actor, key: [`k${i + j}`] }),
        }),
      )
      .then(async (res) => {
        if (!res.ok) throw new Error(`creating actor failed: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { actorId: string }).actorId;
      }),
  );
  for (const id of await Promise.all(batch)) paths.push(`/gateway/${id}/request${config.path}`);
}
writeFileSync(config.pathsFile, JSON.stringify(paths));

process.on("SIGUSR2", async () => {
  const m = await registry.manager();
  console.log(`stats ${JSON.stringify({ wakes: wakes.count, live: m.liveCount, rss: process.memoryUsage().rss })}`);
});
console.log(`ready ${url}`);
