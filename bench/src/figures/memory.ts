// Memory per actor and wake latency, measured in a fresh process started with --expose-gc.
// Usage: node --expose-gc memory.ts '<json MemoryJob>'; prints one JSON line (MemoryFigures).
//
// Method: after a warm-up (which also fills SQLite's bounded page caches), N actors are created and each is woken once (state initialized and
// committed) and put back to sleep, in batches of 1,000; then all N are woken and left idle.
// Bytes per actor are slopes: the RSS growth while the second half of the actors is created
// (or woken), over N/2, so fixed costs (allocator arenas, JIT code, the young generation,
// capped by the bench with --max-semi-space-size) do not pass for per-actor memory. Wake latency: `acquire()` of a sleeping actor (store read, instance, onWake),
// and a whole in-process request to a sleeping actor, timed one at a time.
import { MemoryStore, actor, setup } from "@troupe/core";
import { createSqliteStore } from "@troupe/node";

export interface MemoryJob {
  actors: number;
  store: "sqlite" | "memory";
  dataDir: string;
  /** Sleeping actors woken one at a time for the latency figures. */
  wakeSamples: number;
}

export interface MemoryFigures {
  actors: number;
  store: string;
  bytesPerSleepingActor: number;
  bytesPerAwakeActor: number;
  heapBytesPerSleepingActor: number;
  heapBytesPerAwakeActor: number;
  wakeP50Ms: number;
  wakeP99Ms: number;
  sleepingRequestP50Ms: number;
  sleepingRequestP99Ms: number;
  awakeRequestP50Ms: number;
}

const job = JSON.parse(process.argv[2]!) as MemoryJob;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

const idle = actor({
  state: { count: 0 },
  options: { sleepTimeout: Infinity },
  onRequest: (c) => new Response(String(c.state.count)),
});
const store = job.store === "sqlite" ? createSqliteStore({ dataDir: job.dataDir }) : new MemoryStore();
const registry = setup({ use: { idle }, store });
const m = await registry.manager();
const BATCH = 1000;
/** Actors created before measuring (enough to fill SQLite's page caches, see below). */
const WARM_ACTORS = job.store === "sqlite" ? 10 * BATCH : 2 * BATCH;

async function settle() {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc!();
  }
  await new Promise((r) => setTimeout(r, 50));
  gc!();
  return process.memoryUsage();
}

async function createSleeping(prefix: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += BATCH) {
    const created = await Promise.all(
      Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => m.getOrCreate("idle", [`${prefix}${i + j}`], undefined)),
    );
    const batch = created.map((c) => c.record.actorId);
    await sleepAll(m, await Promise.all(batch.map((id) => m.acquire(id))));
    ids.push(...batch);
  }
  return ids;
}

type Manager = Awaited<ReturnType<typeof registry.manager>>;

async function sleepAll(manager: Manager, instances: Awaited<ReturnType<Manager["acquire"]>>[]) {
  for (const inst of instances) manager.sleepNow(inst);
  await Promise.all(instances.map((inst) => inst.stopped));
}

function quantile(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function timeEach(ids: string[], run: (id: string) => Promise<unknown>) {
  const times: number[] = [];
  for (const id of ids) {
    const t = process.hrtime.bigint();
    await run(id);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

// Warm-up: JIT, prepared statements, one batch of heap, and SQLite's page caches. Those are
// bounded (SQLite's default 2 MB per connection, two connections), a fixed cost; unfilled, they
// would pass for per-actor memory at 10,000 actors (~0.8 KB "per actor" there, ~0.1 KB at 100,000).
await createSleeping("warm", WARM_ACTORS);
await settle();

// Slopes over the second half, so fixed costs (allocator arenas, JIT code) cancel out.
const half = Math.floor(job.actors / 2);
const ids = await createSleeping("a", half);
const sleeping1 = await settle();
ids.push(...(await createSleeping("b", job.actors - half)));
const sleeping2 = await settle();

const instances = await Promise.all(ids.slice(0, half).map((id) => m.acquire(id)));
const awake1 = await settle();
instances.push(...(await Promise.all(ids.slice(half).map((id) => m.acquire(id)))));
const awake2 = await settle();

// Latency: wake sleeping actors one at a time.
await sleepAll(m, instances);
instances.length = 0;
await settle();
const samples = ids.slice(0, job.wakeSamples);
const wake = await timeEach(samples, async (id) => m.acquire(id));
await sleepAll(m, await Promise.all(samples.map((id) => m.acquire(id))));
const request = (id: string) => registry.fetch(new Request(`http://bench/gateway/${id}/request/`)).then((r) => r.text());
const sleepingReq = await timeEach(samples, request);
const awakeReq = await timeEach(samples, request);

const figures: MemoryFigures = {
  actors: job.actors,
  store: job.store,
  bytesPerSleepingActor: (sleeping2.rss - sleeping1.rss) / (job.actors - half),
  bytesPerAwakeActor: (awake2.rss - awake1.rss) / (job.actors - half),
  heapBytesPerSleepingActor: (sleeping2.heapUsed - sleeping1.heapUsed) / (job.actors - half),
  heapBytesPerAwakeActor: (awake2.heapUsed - awake1.heapUsed) / (job.actors - half),
  wakeP50Ms: quantile(wake, 0.5),
  wakeP99Ms: quantile(wake, 0.99),
  sleepingRequestP50Ms: quantile(sleepingReq, 0.5),
  sleepingRequestP99Ms: quantile(sleepingReq, 0.99),
  awakeRequestP50Ms: quantile(awakeReq, 0.5),
};
if (process.env.BENCH_DEBUG) console.error(JSON.stringify({ sleeping1, sleeping2, awake1, awake2 }));
await registry.shutdown(0);
process.stdout.write(JSON.stringify(figures) + "\n");
