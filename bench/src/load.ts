import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { groupCpuSeconds } from "./cpu.ts";
import { trackChild } from "./procs.ts";

/** What the load generator should do. */
export interface LoadJob {
  url: string;
  connections: number;
  /** Measured duration, s. */
  seconds: number;
  /** Unmeasured run first (JIT, caches, keep-alive sockets), s. */
  warmupSeconds: number;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  /** JSON file with an array of request paths, used round-robin instead of the URL's path. */
  pathsFile?: string;
}

/** What one load run measured. Latencies in ms. */
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Socket errors + timeouts + non-2xx answers. */
  errors: number;
  /** CPU time the server (its whole process group) spent per request, µs. */
  cpuUsPerRequest?: number;
  detail: Record<string, number>;
}

const loaderPath = fileURLToPath(new URL("./loader.ts", import.meta.url));

/**
 * Warms up, then loads `job.url` from a separate Node process (autocannon) and returns its
 * figures, with the CPU time the server's process group `serverPgid` spent per request.
 */
export async function load(job: LoadJob, serverPgid?: number): Promise<LoadResult> {
  if (job.warmupSeconds > 0) await loadOnce({ ...job, seconds: job.warmupSeconds, warmupSeconds: 0 });
  const before = serverPgid === undefined ? undefined : groupCpuSeconds(serverPgid);
  const result = await loadOnce({ ...job, warmupSeconds: 0 });
  const after = serverPgid === undefined ? undefined : groupCpuSeconds(serverPgid);
  if (before !== undefined && after !== undefined && result.requests > 0) {
    result.cpuUsPerRequest = ((after - before) * 1e6) / result.requests;
  }
  return result;
}

/** One side of an interleaved measurement: what to load, and whose CPU to count. */
export interface PairSide {
  job: LoadJob;
  serverPgid?: number;
}

/**
 * Measures servers in alternating slices (A, B, A, B, ... or A, B, C, ...), `rounds` slices each,
 * after warming each up; each side's figures are summed over its slices (p50/p99: the median
 * slice). Interleaving puts every side under the same background load on a shared machine, so
 * their ratios hold up far better than those of runs minutes apart.
 */
export async function loadInterleaved(sides: PairSide[], rounds: number): Promise<LoadResult[]> {
  for (const s of sides) if (s.job.warmupSeconds > 0) await loadOnce({ ...s.job, seconds: s.job.warmupSeconds, warmupSeconds: 0 });
  const slices: LoadResult[][] = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, s] of sides.entries()) {
      const job = { ...s.job, seconds: Math.max(1, s.job.seconds / rounds), warmupSeconds: 0 };
      const before = s.serverPgid === undefined ? undefined : groupCpuSeconds(s.serverPgid);
      const r = await loadOnce(job);
      const after = s.serverPgid === undefined ? undefined : groupCpuSeconds(s.serverPgid);
      if (before !== undefined && after !== undefined) r.detail.cpuSeconds = after - before;
      slices[i]!.push(r);
    }
  }
  return slices.map(combine);
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function combine(slices: LoadResult[]): LoadResult {
  const requests = slices.reduce((n, r) => n + r.requests, 0);
  const seconds = slices.reduce((n, r) => n + r.seconds, 0);
  const cpu = slices.every((r) => r.detail.cpuSeconds !== undefined) ? slices.reduce((n, r) => n + r.detail.cpuSeconds!, 0) : undefined;
  const detail: Record<string, number> = { slices: slices.length };
  for (const r of slices) for (const [k, v] of Object.entries(r.detail)) detail[k] = (detail[k] ?? 0) + v;
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: median(slices.map((r) => r.p50)),
    p99: median(slices.map((r) => r.p99)),
    errors: slices.reduce((n, r) => n + r.errors, 0),
    cpuUsPerRequest: cpu !== undefined && requests > 0 ? (cpu * 1e6) / requests : undefined,
    detail,
  };
}

function loadOnce(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loaderPath, JSON.stringify(job)], { stdio: ["ignore", "pipe", "pipe"] });
    trackChild(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    const cap = setTimeout(() => child.kill("SIGKILL"), (job.seconds + job.warmupSeconds + 60) * 1000);
    child.once("exit", (code) => {
      clearTimeout(cap);
      const line = out.trim().split("\n").pop() ?? "";
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(line) as LoadResult);
      } catch (e) {
        reject(new Error(`load generator failed (${String(e)}):\n${err.slice(-2000)}${out.slice(-1000)}`));
      }
    });
  });
}
