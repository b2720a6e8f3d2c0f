// The load generator, run as its own process so that it never shares a CPU thread with the
// server under test. Reads one JSON job from argv[2], runs autocannon, prints one JSON line.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import type { LoadJob, LoadResult } from "./load.ts";

const job = JSON.parse(process.argv[2]!) as LoadJob;
const paths = job.pathsFile ? (JSON.parse(readFileSync(job.pathsFile, "utf8")) as string[]) : undefined;

/** One autocannon run; round-robin over `paths` when given (one shared cursor for all connections). */
function run(seconds: number): Promise<autocannon.Result> {
  let next = 0;
  const opts: autocannon.Options = {
    url: job.url,
    connections: job.connections,
    duration: seconds,
    method: (job.method ?? "GET") as autocannon.Request["method"],
    body: job.body,
    headers: job.headers,
    timeout: 10,
  };
  if (paths) {
    opts.requests = [
      {
        setupRequest: (req) => {
          req.path = paths[next++ % paths.length]!;
          return req;
        },
      },
    ];
  }
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

if (job.warmupSeconds > 0) await run(job.warmupSeconds);
const r = await run(job.seconds);
const result: LoadResult = {
  requests: r.requests.total,
  seconds: r.duration,
  rps: r.requests.total / r.duration,
  p50: r.latency.p50,
  p99: r.latency.p99,
  errors: r.errors + r.timeouts + r.non2xx,
  detail: { errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, status2xx: r["2xx"] },
};
process.stdout.write(JSON.stringify(result) + "\n");
