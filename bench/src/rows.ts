import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { load, loadInterleaved, type LoadJob, type LoadResult } from "./load.ts";
import type { Mode } from "./modes.ts";
import { freePortBlock } from "./ports.ts";
import { startProcess, type BenchProcess } from "./procs.ts";
import type { TroupeServerConfig } from "./servers/troupe.ts";
import { benchTempDir, removeTempDir } from "./tmp.ts";

/** One line of the table. */
export interface Row {
  id: string;
  label: string;
  connections: number;
  result?: LoadResult;
  /** Why there is no measurement. */
  unavailable?: string;
  note?: string;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const node = process.execPath;

async function stats(proc: BenchProcess): Promise<Record<string, number> | undefined> {
  const before = proc.output().length;
  process.kill(proc.child.pid!, "SIGUSR2");
  for (let i = 0; i < 40; i++) {
    const m = /stats (\{.*\})/.exec(proc.output().slice(before));
    if (m) return JSON.parse(m[1]!);
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

/** Runs `body`; a failure becomes an unavailable row with the reason, so the run goes on. */
export async function measure(row: Row, body: () => Promise<LoadResult>): Promise<Row> {
  const t = Date.now();
  process.stderr.write(`[bench] ${row.id} ${row.label} ...`);
  try {
    row.result = await body();
    process.stderr.write(` ${Math.round(row.result.rps)} req/s (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
  } catch (err) {
    row.unavailable = String((err as Error).message ?? err).split("\n")[0]!.slice(0, 300);
    process.stderr.write(` unavailable: ${String((err as Error).stack ?? err).slice(0, 3000)}\n`);
  }
  return row;
}

/** A server under test, started: where to send load, whose CPU to count, how to stop it. */
export interface Running {
  url: string;
  pgid: number;
  /** The load job for this server (URL, method, round-robin paths). */
  job(mode: Mode): LoadJob;
  /** Called after the measured load (e.g. to read the server's stats). */
  after?(result: LoadResult): Promise<void>;
  stop(): Promise<void>;
}

/** Rows 1-2: a server answering "ok" (raw node:http or a fetch-style adapter). */
export async function startPlain(kind: string, connections: number): Promise<Running> {
  const { proc, match } = await startProcess(node, [here("./servers/plain.ts"), kind], { ready: /ready (\S+)/ });
  return {
    url: match[1]!,
    pgid: proc.child.pid!,
    job: (mode) => ({ url: `${match[1]}/`, connections, seconds: mode.seconds, warmupSeconds: mode.warmupSeconds }),
    stop: () => proc.stop(),
  };
}

export function plainRow(mode: Mode, id: string, label: string, kind: string, connections: number): Promise<Row> {
  return single(mode, { id, label, connections }, () => startPlain(kind, connections));
}

/** Measures one row on its own: start, load, stop. */
export function single(mode: Mode, row: Row, start: () => Promise<Running>): Promise<Row> {
  return measure(row, async () => {
    const server = await start();
    try {
      const result = await load(server.job(mode), server.pgid);
      await server.after?.(result);
      return result;
    } finally {
      await server.stop();
    }
  });
}

/**
 * Measures rows whose ratio is a target in interleaved slices (see `loadInterleaved`): the
 * servers run side by side (an idle one costs nothing) and take turns under load.
 */
export async function interleaved(mode: Mode, rows: Row[], starts: (() => Promise<Running>)[]): Promise<Row[]> {
  const t = Date.now();
  process.stderr.write(`[bench] ${rows.map((r) => r.id).join(" + ")} interleaved (${rows.map((r) => r.label).join(" / ")}) ...`);
  const servers: Running[] = [];
  try {
    for (const start of starts) servers.push(await start());
    const results = await loadInterleaved(
      servers.map((s) => ({ job: s.job(mode), serverPgid: s.pgid })),
      mode.pairRounds,
    );
    for (const [i, r] of results.entries()) {
      rows[i]!.result = r;
      await servers[i]!.after?.(r);
    }
    process.stderr.write(` ${results.map((r) => Math.round(r.rps)).join(" / ")} req/s (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
  } catch (err) {
    for (const row of rows) if (!row.result) row.unavailable = String((err as Error).message ?? err).split("\n")[0]!.slice(0, 300);
    process.stderr.write(` unavailable: ${String((err as Error).stack ?? err).slice(0, 3000)}\n`);
  } finally {
    for (const server of servers) await server.stop();
  }
  return rows;
}

export interface TroupeRowOptions {
  server: Omit<TroupeServerConfig, "pathsFile" | "dataDir">;
  connections: number;
  method: "GET" | "POST";
  /** Spread requests round-robin over every actor (else all go to the first). */
  roundRobin?: boolean;
  /** Report how many requests woke a sleeping actor. */
  countWakes?: boolean;
}

/** Rows 3-5: Troupe (the standalone host or `registry.fetch` behind a library), started with its actors. */
export async function startTroupe(mode: Mode, id: string, row: Row, o: TroupeRowOptions): Promise<Running> {
  const dir = benchTempDir(id);
  const config: TroupeServerConfig = { ...o.server, pathsFile: join(dir, "paths.json"), dataDir: join(dir, "data") };
  let proc: BenchProcess | undefined;
  try {
    const started = await startProcess(node, [here("./servers/troupe.ts"), JSON.stringify(config)], {
      ready: /ready (\S+)/,
      timeoutMs: 120_000,
    });
    proc = started.proc;
    const url = started.match[1]!;
    const paths = JSON.parse(readFileSync(config.pathsFile, "utf8")) as string[];
    const before = o.countWakes ? await stats(proc) : undefined;
    const p = proc;
    return {
      url,
      pgid: p.child.pid!,
      job: (mode) => ({
        url: `${url}${paths[0]}`,
        connections: o.connections,
        seconds: mode.seconds,
        warmupSeconds: mode.warmupSeconds,
        method: o.method,
        pathsFile: o.roundRobin ? config.pathsFile : undefined,
      }),
      async after(result) {
        if (!o.countWakes || !before) return;
        const now = await stats(p);
        if (!now) return;
        const total = result.requests + Math.round(result.rps * mode.warmupSeconds);
        row.note = `${now.wakes - before.wakes} wakes in ~${total} requests (warm-up included)`;
      },
      async stop() {
        await p.stop();
        removeTempDir(dir);
      },
    };
  } catch (err) {
    await proc?.stop();
    removeTempDir(dir);
    throw err;
  }
}

export function troupeRow(mode: Mode, id: string, label: string, o: TroupeRowOptions): Promise<Row> {
  const row: Row = { id, label, connections: o.connections };
  return single(mode, row, () => startTroupe(mode, id, row, o));
}

/** RivetKit's engine binds its port, port+1 and port+10. */
const RIVET_PORT_OFFSETS = [0, 1, 10];

/** A RivetKit registry with its local engine, started in a fresh HOME. */
export async function startRivetKit(nodelay: boolean) {
  const home = benchTempDir("rivetkit-home");
  const port = await freePortBlock(RIVET_PORT_OFFSETS);
  const { proc, match } = await startProcess(node, [here("./servers/rivetkit.ts"), String(port)], {
    env: {
      HOME: home,
      RUST_BACKTRACE: undefined,
      RUST_LOG: undefined,
      RIVET__GUARD__TCP_NODELAY: nodelay ? "true" : undefined,
    },
    ready: /ready (\S+)/,
    timeoutMs: 120_000,
  });
  const url = match[1]!;
  return {
    url,
    pgid: proc.child.pid!,
    /** Creates (getOrCreate) the actor with key `key` through the raw gateway; returns its id. */
    async actorId(key: string): Promise<string> {
      const res = await fetch(
        `${url}/gateway/counter/request/increment?rvt-namespace=default&rvt-method=getOrCreate&rvt-key=${key}&rvt-pool=default`,
        { method: "POST", signal: AbortSignal.timeout(60_000) },
      );
      await res.arrayBuffer();
      const id = res.headers.get("x-rivet-actor");
      if (!res.ok || !id) throw new Error(`RivetKit getOrCreate answered ${res.status}`);
      return id;
    },
    async stop() {
      await proc.stop(5000);
      removeTempDir(home);
    },
  };
}

/** Row 6: RivetKit, `POST /increment` on its raw gateway, to one actor or round-robin over many. */
export function rivetRow(
  mode: Mode,
  id: string,
  label: string,
  o: { nodelay: boolean; connections: number; actors: number; createBudgetMs: number },
): Promise<Row> {
  const row: Row = { id, label, connections: o.connections };
  return measure(row, async () => {
    const rk = await startRivetKit(o.nodelay);
    const dir = benchTempDir(id);
    try {
      const ids: string[] = [];
      const deadline = Date.now() + o.createBudgetMs;
      // Create the actors before measuring, one at a time (even 4 at once drew 504s and slowed
      // creation to ~0.5/s here), within a time budget.
      let failures = 0;
      const create = async (key: string) => {
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            return await rk.actorId(key);
          } catch {
            failures++;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
        return undefined;
      };
      for (let i = 0; i < o.actors && Date.now() < deadline; i++) {
        const a = await create(`k${i}`);
        if (a) ids.push(a);
      }
      if (ids.length === 0) throw new Error(`RivetKit created no actor (${failures} failed attempts)`);
      const notes: string[] = [];
      if (ids.length < o.actors) notes.push(`only ${ids.length} of ${o.actors} actors created in ${o.createBudgetMs / 1000} s`);
      if (failures) notes.push(`${failures} getOrCreate attempts failed and were retried`);
      if (notes.length) row.note = notes.join("; ");
      const pathsFile = join(dir, "paths.json");
      writeFileSync(pathsFile, JSON.stringify(ids.map((a) => `/gateway/${a}/request/increment`)));
      return await load({
        url: `${rk.url}/gateway/${ids[0]}/request/increment`,
        connections: o.connections,
        seconds: mode.seconds,
        warmupSeconds: mode.warmupSeconds,
        method: "POST",
        pathsFile: ids.length > 1 ? pathsFile : undefined,
      }, rk.pgid);
    } finally {
      await rk.stop();
      removeTempDir(dir);
    }
  });
}
