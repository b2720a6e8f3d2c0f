import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { startProcess, tempDir, type StartedProcess } from "@troupe/testing";
import { DATABASE_FILE } from "../src/index.js";
import { action, callAction, getOrCreate, waitFor } from "./http.js";

// Crash test: a real server process takes concurrent increments and is SIGKILLed mid-load, then
// restarts on the same data directory. Each client sends numbered increments one after another,
// so the increments the server committed are exactly, per client, 1..last[client].

const SERVER = fileURLToPath(new URL("./fixtures/durable-server.mjs", import.meta.url));
const CLIENTS = 64;
const ACTOR_KEYS = ["hot-0", "hot-1", "hot-2", "hot-3"];
const READY = /troupe listening on (\S+)/;
/** Kill after this many acknowledged increments, or this many ms into the load. */
const KILL_POINTS: Array<{ acks: number } | { ms: number }> = [{ acks: 20 }, { acks: 300 }, { acks: 1500 }, { ms: 150 }];

interface TallyState {
  count: number;
  last: Record<string, number>;
}

const dir = tempDir("troupe-crash-");
let proc: StartedProcess | undefined;
afterAll(async () => {
  await proc?.kill();
  dir.remove();
});

async function start() {
  proc = await startProcess(process.execPath, [SERVER], { env: { TROUPE_DATA_DIR: dir.path }, readyPattern: READY });
  return READY.exec(proc.output())![1]!;
}

/** Reads the committed state straight from the database file, as the next process will see it. */
function storedStates(actorIds: string[]): Map<string, TallyState> {
  const db = new DatabaseSync(join(dir.path, DATABASE_FILE));
  try {
    const read = db.prepare("SELECT state FROM actors WHERE actor_id = ?");
    return new Map(actorIds.map((id) => [id, JSON.parse((read.get(id) as { state: string }).state) as TallyState]));
  } finally {
    db.close();
  }
}

describe("crash: SIGKILL mid-load, restart on the same data directory", () => {
  it("keeps every acknowledged increment and exactly the committed ones, at several kill points", async () => {
    let actorIds: string[] | undefined;
    const ackedByClient = new Map<string, number>(); // every client of every round
    const maxAckedCount = new Map<string, number>();

    for (const [round, killPoint] of KILL_POINTS.entries()) {
      const base = await start();
      const ids = await Promise.all(ACTOR_KEYS.map(async (k) => (await getOrCreate(base, "tally", [k])).actorId));
      if (actorIds) expect(ids).toEqual(actorIds); // the key index survived the crash too
      actorIds = ids;

      if (round > 0) {
        // The restarted server serves exactly what was on disk.
        const before = storedStates(ids);
        for (const id of ids) expect(await action<TallyState>(base, id, "get")).toEqual(before.get(id));
      }

      let acks = 0;
      let failures = 0;
      const loadStart = Date.now();
      const clients = Array.from({ length: CLIENTS }, async (_, j) => {
        const client = `r${round}c${j}`;
        const actorId = ids[j % ids.length]!;
        ackedByClient.set(client, 0);
        for (let seq = 1; ; seq++) {
          try {
            const { status, body } = await callAction(base, actorId, "add", [client, seq], AbortSignal.timeout(20_000));
            if (status !== 200) throw new Error(`status ${status}`);
            ackedByClient.set(client, seq);
            maxAckedCount.set(actorId, Math.max(maxAckedCount.get(actorId) ?? 0, body.output as number));
            acks++;
          } catch {
            failures++;
            return; // the server is gone
          }
        }
      });

      await waitFor(() => ("acks" in killPoint ? acks >= killPoint.acks : Date.now() - loadStart >= killPoint.ms), 60_000, 1);
      await proc!.kill(); // SIGKILL, no chance to flush anything
      await Promise.all(clients);
      expect(failures).toBe(CLIENTS); // every client had a request in flight when the server died

      const stored = storedStates(ids);
      let totalCount = 0;
      const lastOf = new Map<string, number>();
      for (const [id, state] of stored) {
        totalCount += state.count;
        // The count equals the increments committed: per client, 1..last.
        const committed = Object.values(state.last).reduce((a, b) => a + b, 0);
        expect(state.count).toBe(committed);
        expect(state.count).toBeGreaterThanOrEqual(maxAckedCount.get(id) ?? 0);
        for (const [client, last] of Object.entries(state.last)) lastOf.set(client, last);
      }
      for (const [client, acked] of ackedByClient) {
        const last = lastOf.get(client) ?? 0;
        // Acknowledged means committed; at most the one request in flight at the kill may be committed unacknowledged.
        expect(last).toBeGreaterThanOrEqual(acked);
        expect(last).toBeLessThanOrEqual(acked + 1);
      }
      const acked = [...ackedByClient.values()].reduce((a, b) => a + b, 0);
      expect(totalCount).toBeGreaterThanOrEqual(acked);
      expect(totalCount).toBeLessThanOrEqual(acked + ackedByClient.size);
    }

    // One last restart: the final state is served intact.
    const base = await start();
    const stored = storedStates(actorIds!);
    for (const id of actorIds!) expect(await action<TallyState>(base, id, "get")).toEqual(stored.get(id));
    await proc!.stop();
  }, 180_000);
});
