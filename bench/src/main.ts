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
import { interleaved, plainRow, rivetRow, single, startPlain, startTroupe, troupeRow, type Row, type TroupeRowOptions } from "./rows.ts";
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

// 1 and 3 (a target pair: measured interleaved): the limit, raw node:http answering "ok", and
// Troupe's standalone host -> one in-memory actor's onRequest answering "ok".
const okActor = { actor: "ok", actors: 1, path: "/ok" } as const;
const row1: Row = { id: "1", label: "raw node:http", connections: 10 };
const row3: Row = { id: "3", label: "Troupe serve() -> in-memory actor onRequest", connections: 10 };
const row3Options: TroupeRowOptions = { server: { host: "serve", store: "memory", ...okActor }, connections: 10, method: "GET" };
const startRow1 = () => startPlain("node-http", 10);
const startRow3 = () => startTroupe(mode, "3", row3, row3Options);
if (wanted("1") && wanted("3")) await interleaved(mode, [row1, row3], [startRow1, startRow3]);
else if (wanted("1")) await single(mode, row1, startRow1);
else if (wanted("3")) await single(mode, row3, startRow3);
if (wanted("1")) rows.push(row1);

// 2: the fetch-style adapters, same trivial handler, 10 connections.
if (mode.name !== "smoke") {
  await add("2a", () => plainRow(mode, "2a", "@hono/node-server", "hono", 10));
  await add("2b", () => plainRow(mode, "2b", "@whatwg-node/server", "whatwg", 10));
  await add("2c", () => plainRow(mode, "2c", "srvx", "srvx", 10));
  for (const id of ["2a", "2b", "2c"]) baselines[id] = "1";
}
if (wanted("3")) rows.push(row3);
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
  // 4a and 4b (a target pair: measured interleaved).
  const row4a: Row = { id: "4a", label: "Troupe increment, in-memory store", connections: 64 };
  const row4b: Row = { id: "4b", label: "Troupe increment, SQLite, strict durability (fsync per group commit)", connections: 64 };
  const start4a = () => startTroupe(mode, "4a", row4a, { server: { ...inc, store: "memory", actor: "counter" }, connections: 64, method: "POST" });
  const start4b = () => startTroupe(mode, "4b", row4b, { server: { ...inc, store: "sqlite", actor: "counter" }, connections: 64, method: "POST" });
  if (wanted("4a") && wanted("4b")) await interleaved(mode, [row4a, row4b], [start4a, start4b]);
  else if (wanted("4a")) await single(mode, row4a, start4a);
  else if (wanted("4b")) await single(mode, row4b, start4b);
  for (const r of [row4a, row4b]) if (wanted(r.id)) rows.push(r);
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
    Object.assign(baselines, pair.baselines);
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
const header = `Measured with \`${command}\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), loopback, autocannon in a separate process, ${mode.seconds} s per row after ${mode.warmupSeconds} s warm-up; the rows of a target ratio (1/3, 4a/4b, and each framework's pair) are measured interleaved, in ${mode.pairRounds} alternating slices each. Latencies in ms; ratios only within this run.${mode.name === "full" ? "" : ` A short run for iterating: its ratios are indicative only (${mode.seconds} s rows, ${mode.warmupSeconds} s warm-ups); the targets are judged on the full run.`}`;
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
