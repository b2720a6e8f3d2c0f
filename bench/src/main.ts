// `pnpm bench [--quick | --smoke] [--only=1,3,4b]`: starts each server in its own process,
// loads it from another process (autocannon), prints one Markdown table with the ratios and
// targets, and writes the figures as JSON under bench/results/.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { memoryFigures } from "./figures/run-memory.ts";
import type { MemoryFigures } from "./figures/memory.ts";
import { MODES, type Mode } from "./modes.ts";
import { installCleanup } from "./procs.ts";
import { judge, memoryTable, table, type Target } from "./report.ts";
import { plainRow, rivetRow, troupeRow, type Row } from "./rows.ts";
import { frameworkRows } from "./frameworks.ts";

const args = process.argv.slice(2);
const mode: Mode = MODES[args.includes("--smoke") ? "smoke" : args.includes("--quick") ? "quick" : "full"];
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const wanted = (id: string) => !only || only.some((o) => id === o || id.startsWith(o));

installCleanup();
const started = Date.now();
const rows: Row[] = [];
const add = async (id: string, run: () => Promise<Row>) => {
  if (wanted(id)) rows.push(await run());
};

/** Ratio of each row to a plain baseline; rows with a target use the target's baseline instead. */
const baselines: Record<string, string> = {};
const targets: Target[] = [
  { row: "3", baseline: "1", min: 0.6, text: ">= 0.6x row 1" },
  { row: "4b", baseline: "4a", min: 0.7, text: ">= 0.7x row 4a" },
  { row: "6a", baseline: "4b", min: 50, inverse: true, text: "Troupe >= 50x" },
  { row: "6b", baseline: "5a", min: 50, inverse: true, text: "Troupe >= 50x" },
];

// 1-2: the limit and the fetch-style adapters, trivial handler returning "ok", 10 connections.
await add("1", () => plainRow(mode, "1", "raw node:http", "node-http", 10));
if (mode.name !== "smoke") {
  await add("2a", () => plainRow(mode, "2a", "@hono/node-server", "hono", 10));
  await add("2b", () => plainRow(mode, "2b", "@whatwg-node/server", "whatwg", 10));
  await add("2c", () => plainRow(mode, "2c", "srvx", "srvx", 10));
  for (const id of ["2a", "2b", "2c"]) baselines[id] = "1";
}

// 3: Troupe's standalone host -> one in-memory actor's onRequest returning "ok".
const okActor = { actor: "ok", actors: 1, path: "/ok" } as const;
await add("3", () =>
  troupeRow(mode, "3", "Troupe serve() -> in-memory actor onRequest", {
    server: { host: "serve", store: "memory", ...okActor },
    connections: 10,
    method: "GET",
  }),
);
if (mode.name !== "smoke") {
  // The Node host's library candidates, each carrying registry.fetch.
  for (const [id, lib, name] of [["3a", "hono", "@hono/node-server"], ["3b", "whatwg", "@whatwg-node/server"], ["3c", "srvx", "srvx"]] as const) {
    baselines[id] = "1";
    await add(id, () =>
      troupeRow(mode, id, `Troupe registry.fetch on ${name} -> in-memory actor`, {
        server: { host: lib, store: "memory", ...okActor },
        connections: 10,
        method: "GET",
      }),
    );
  }

  // 4: POST /increment on one actor, 64 connections: in memory, durable SQLite, relaxed durability.
  const inc = { host: "serve", actors: 1, path: "/increment" } as const;
  await add("4a", () =>
    troupeRow(mode, "4a", "Troupe increment, in-memory store", { server: { ...inc, store: "memory", actor: "counter" }, connections: 64, method: "POST" }),
  );
  await add("4b", () =>
    troupeRow(mode, "4b", "Troupe increment, SQLite, strict durability (fsync per group commit)", {
      server: { ...inc, store: "sqlite", actor: "counter" },
      connections: 64,
      method: "POST",
    }),
  );
  await add("4c", () =>
    troupeRow(mode, "4c", "Troupe increment, SQLite, relaxed durability (saved every 1 s)", {
      server: { ...inc, store: "sqlite", actor: "relaxedCounter" },
      connections: 64,
      method: "POST",
    }),
  );
  baselines["4c"] = "4a";

  // 5: many actors, requests round-robin.
  await add("5a", () =>
    troupeRow(mode, "5a", `Troupe increment round-robin over ${mode.manyActors.toLocaleString("en-US")} actors, SQLite`, {
      server: { host: "serve", store: "sqlite", actor: "counter", actors: mode.manyActors, path: "/increment" },
      connections: 64,
      method: "POST",
      roundRobin: true,
      countWakes: true,
    }),
  );
  await add("5b", () =>
    troupeRow(mode, "5b", `same, actors sleep after 250 ms idle so requests wake sleeping actors`, {
      server: { host: "serve", store: "sqlite", actor: "sleepyCounter", actors: mode.manyActors, path: "/increment" },
      connections: 64,
      method: "POST",
      roundRobin: true,
      countWakes: true,
    }),
  );
  baselines["5a"] = "4b";
  baselines["5b"] = "4b";

  // 6: RivetKit 2.3.19, same counter on its raw gateway, local engine started by the bench.
  // Its best configuration is picked in the full run (RUST_BACKTRACE is always unset).
  let nodelay = true;
  if (wanted("6a") || wanted("6b")) {
    const on = await rivetRow(mode, "6a", "RivetKit 2.3.19 raw gateway, one actor, RIVET__GUARD__TCP_NODELAY=true", {
      nodelay: true,
      connections: 64,
      actors: 1,
      createBudgetMs: 60_000,
    });
    rows.push(on);
    if (mode.name === "full") {
      const off = await rivetRow(mode, "6a'", "RivetKit 2.3.19 raw gateway, one actor, TCP_NODELAY unset", {
        nodelay: false,
        connections: 64,
        actors: 1,
        createBudgetMs: 60_000,
      });
      rows.push(off);
      baselines["6a'"] = "4b";
      if ((off.result?.rps ?? 0) > (on.result?.rps ?? 0)) {
        nodelay = false;
        on.id = "6a''";
        off.id = "6a";
        baselines["6a''"] = "4b";
      }
    }
    rows.push(
      await rivetRow(mode, "6b", `RivetKit round-robin over ${mode.rivetActors.toLocaleString("en-US")} actors (best configuration)`, {
        nodelay,
        connections: 64,
        actors: mode.rivetActors,
        createBudgetMs: mode.name === "full" ? 180_000 : 12_000,
      }),
    );
  }

  // 7: each framework's production server: its own route vs the Troupe adapter routing to an actor.
  for (const pair of await frameworkRows(mode, wanted)) {
    rows.push(...pair.rows);
    targets.push(...pair.targets);
  }
}

const memory: MemoryFigures[] = [];
if (wanted("mem")) {
  for (const n of mode.memoryActors) {
    process.stderr.write(`[bench] memory and wake latency, ${n} actors ...\n`);
    memory.push(await memoryFigures(n, mode.wakeSamples));
  }
}

const judged = judge(rows, targets, baselines);
const command = `pnpm bench${mode.name === "full" ? "" : ` --${mode.name}`}`;
const header = `Measured with \`${command}\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), loopback, autocannon in a separate process, ${mode.seconds} s per row after ${mode.warmupSeconds} s warm-up. Latencies in ms; ratios only within this run.`;
let out = `${header}\n\n${table(rows, judged)}\n`;
if (memory.length) out += `\nMemory per actor and wake latency (SQLite store, the standalone host's default):\n\n${memoryTable(memory)}\n`;
process.stdout.write(`\n${out}\n`);

const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const file = `${resultsDir}bench-${mode.name}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
const json = {
  command,
  mode,
  node: process.version,
  cpus: cpus().length,
  date: new Date().toISOString(),
  seconds: (Date.now() - started) / 1000,
  rows: rows.map((r) => ({ ...r, ...judged.get(r.id) })),
  memory,
  markdown: out,
};
writeFileSync(file, JSON.stringify(json, null, 2));
writeFileSync(`${resultsDir}latest-${mode.name}.json`, JSON.stringify(json, null, 2));
process.stderr.write(`[bench] done in ${Math.round((Date.now() - started) / 1000)} s; results in ${file}\n`);
// A Troupe row that failed is a bug, not a missing peer.
const broken = rows.filter((r) => !r.result && /^[1345]/.test(r.id));
process.exit(broken.length ? 1 : 0);
