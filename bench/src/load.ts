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
