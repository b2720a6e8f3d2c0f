import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { ActorRecord } from "@troupe/core";
import { tempDir } from "@troupe/testing";
import { createSqliteStore, DATABASE_FILE, DataDirLockedError, resolveDataDir, type SqliteStore } from "../src/index.js";

// The store on real files: what it commits, when its promises resolve, and its lock.

const dirs: Array<ReturnType<typeof tempDir>> = [];
const open: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(() => {
  for (const d of dirs) d.remove();
});

function newStore(dataDir = newDir()) {
  const s = createSqliteStore({ dataDir });
  open.push(s);
  return s;
}
function newDir() {
  const d = tempDir("troupe-store-");
  dirs.push(d);
  return d.path;
}
const record = (name: string, key: string[], actorId = `${name}-${key.join("-")}`): ActorRecord => ({
  actorId,
  name,
  key,
  createdAt: 1_700_000_000_000,
});

describe("SqliteStore", () => {
  it("indexes actors by id and by name+key; a taken key returns its owner", async () => {
    const store = newStore();
    const a = record("counter", ["a", "b,c"]);
    expect(await store.insert(a, JSON.stringify({ x: 1 }))).toEqual({ record: a, created: true });
    const clash = record("counter", ["a", "b,c"], "other-id");
    expect(await store.insert(clash, undefined)).toEqual({ record: a, created: false });
    expect(store.findByKey("counter", ["a", "b,c"])).toEqual(a);
    expect(store.findByKey("counter", ["a,b", "c"])).toBeUndefined();
    expect(store.findById(a.actorId)).toEqual(a);
    expect(store.countByName("counter")).toBe(1);
    expect(store.read(a.actorId)).toEqual({ state: undefined, input: '{"x":1}' });
    await store.writeState(a.actorId, '{"count":3}');
    expect(store.read(a.actorId)).toEqual({ state: '{"count":3}', input: undefined });
  });

  it("concurrent inserts of one key create it once", async () => {
    const store = newStore();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.insert(record("race", ["k"], `id-${i}`), undefined)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.record.actorId)).size).toBe(1);
  });

  it("removing an actor removes its events; events list soonest first", async () => {
    const store = newStore();
    await store.insert(record("t", ["1"]), undefined);
    await store.insert(record("t", ["2"]), undefined);
    await store.addEvent({ eventId: "late", actorId: "t-1", at: 300, action: "x", args: [1, { a: "b" }] });
    await store.addEvent({ eventId: "early", actorId: "t-2", at: 100, action: "y", args: [] });
    await store.addEvent({ eventId: "mid", actorId: "t-1", at: 200, action: "z", args: ["s"] });
    expect(store.listEvents().map((e) => e.eventId)).toEqual(["early", "mid", "late"]);
    expect(store.listEvents(2).map((e) => e.eventId)).toEqual(["early", "mid"]);
    expect(store.listEvents()[2]).toEqual({ eventId: "late", actorId: "t-1", at: 300, action: "x", args: [1, { a: "b" }] });
    await store.remove("t-1");
    expect(store.findById("t-1")).toBeUndefined();
    expect(store.listEvents().map((e) => e.eventId)).toEqual(["early"]);
    await store.removeEvent("early");
    expect(store.listEvents()).toEqual([]);
    await expect(store.addEvent({ eventId: "orphan", actorId: "gone", at: 1, action: "x", args: [] })).rejects.toThrow(/FOREIGN KEY/);
  });

  it("group commit: concurrent writes share one transaction, and each resolves only once it is on disk", async () => {
    const dataDir = newDir();
    const store = newStore(dataDir);
    const ids = Array.from({ length: 200 }, (_, i) => `w${i}`);
    await Promise.all(ids.map((id) => store.insert(record("w", [id], id), undefined)));
    const before = store.stats;

    // A second connection sees only committed data.
    const reader = new DatabaseSync(join(dataDir, DATABASE_FILE), { readOnly: true });
    const readState = reader.prepare("SELECT state FROM actors WHERE actor_id = ?");
    const seenOnResolve: Array<string | null> = [];
    await Promise.all(
      ids.map((id) =>
        store.writeState(id, JSON.stringify({ id })).then(() => {
          seenOnResolve.push((readState.get(id) as { state: string | null }).state);
        }),
      ),
    );
    reader.close();

    expect(seenOnResolve).toEqual(ids.map((id) => JSON.stringify({ id })));
    const after = store.stats;
    expect(after.writes - before.writes).toBe(200);
    expect(after.batches - before.batches).toBe(1);
  });

  it("queued state writes of one actor coalesce: the newest state wins, every caller resolves", async () => {
    const store = newStore();
    await store.insert(record("h", ["hot"]), undefined);
    const before = store.stats;
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.writeState("h-hot", JSON.stringify({ n: i }))));
    expect(store.read("h-hot")?.state).toBe('{"n":49}');
    expect(store.stats.writes - before.writes).toBe(50);
    expect(store.stats.batches - before.batches).toBe(1);

    // Order with other writes is kept: a removal between two state writes still removes.
    await store.insert(record("h", ["gone"]), undefined);
    await Promise.all([store.writeState("h-gone", "1"), store.remove("h-gone"), store.writeState("h-gone", "2")]);
    expect(store.findById("h-gone")).toBeUndefined();
    // An insert and the first state write in the same batch.
    const fresh = record("h", ["new"]);
    await Promise.all([store.insert(fresh, '"input"'), store.writeState(fresh.actorId, "3"), store.writeState(fresh.actorId, "4")]);
    expect(store.read(fresh.actorId)).toEqual({ state: "4", input: undefined });
  });

  it("a failing write is rejected alone; the rest of its batch commits", async () => {
    const store = newStore();
    await store.insert(record("f", ["ok"]), undefined);
    const [good, bad] = await Promise.allSettled([
      store.writeState("f-ok", '"fine"'),
      store.addEvent({ eventId: "e", actorId: "no-such-actor", at: 1, action: "x", args: [] }),
    ]);
    expect(good.status).toBe("fulfilled");
    expect(bad.status).toBe("rejected");
    expect(store.read("f-ok")?.state).toBe('"fine"');
  });

  it("everything survives closing and reopening", async () => {
    const dataDir = newDir();
    const first = createSqliteStore({ dataDir });
    await first.insert(record("p", ["k"]), '"in"');
    await first.writeState("p-k", '{"n":1}');
    await first.addEvent({ eventId: "ev", actorId: "p-k", at: 5, action: "a", args: [] });
    await first.close();
    const second = newStore(dataDir);
    expect(second.findByKey("p", ["k"])).toEqual(record("p", ["k"]));
    expect(second.read("p-k")).toEqual({ state: '{"n":1}', input: undefined });
    expect(second.listEvents().map((e) => e.eventId)).toEqual(["ev"]);
  });

  it("uses WAL with full fsync by default", () => {
    const dataDir = newDir();
    newStore(dataDir);
    const db = new DatabaseSync(join(dataDir, DATABASE_FILE), { readOnly: true });
    expect(db.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    db.close();
    expect(existsSync(join(dataDir, `${DATABASE_FILE}-wal`))).toBe(true);
  });

  it("refuses a second store on the same directory, even in the same process, until the first closes", async () => {
    const dataDir = newDir();
    const first = createSqliteStore({ dataDir });
    let error: unknown;
    try {
      createSqliteStore({ dataDir });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).dataDir).toBe(dataDir);
    // The message says it is this process, and how a second store comes about.
    expect((error as Error).message).toContain("is already open in this process");
    expect((error as Error).message).toContain("useStore(() => ...)");
    await first.close();
    newStore(dataDir); // free again
  });

  it("refuses a database from a newer schema, and releases the directory when it does", async () => {
    const dataDir = newDir();
    await createSqliteStore({ dataDir }).close();
    const db = new DatabaseSync(join(dataDir, DATABASE_FILE));
    db.exec("PRAGMA user_version = 99");
    db.close();
    expect(() => createSqliteStore({ dataDir })).toThrow(/schema version 99/);
    const fix = new DatabaseSync(join(dataDir, DATABASE_FILE));
    fix.exec("PRAGMA user_version = 1");
    fix.close();
    newStore(dataDir); // not locked by the failed attempt
  });

  it("a closed store refuses further calls", async () => {
    const store = createSqliteStore({ dataDir: newDir() });
    await Promise.all([store.close(), store.close()]); // idempotent
    expect(() => store.findById("x")).toThrow(/closed/);
    await expect(store.writeState("x", "1")).rejects.toThrow(/closed/);
  });
});

describe("resolveDataDir", () => {
  it("prefers the option, then TROUPE_DATA_DIR, then .troupe/ under the working directory", () => {
    const saved = process.env.TROUPE_DATA_DIR;
    try {
      process.env.TROUPE_DATA_DIR = "/srv/from-env";
      expect(resolveDataDir("/srv/option")).toBe("/srv/option");
      expect(resolveDataDir("relative")).toBe(resolve(process.cwd(), "relative"));
      expect(resolveDataDir()).toBe("/srv/from-env");
      delete process.env.TROUPE_DATA_DIR;
      expect(resolveDataDir()).toBe(resolve(process.cwd(), ".troupe"));
    } finally {
      if (saved === undefined) delete process.env.TROUPE_DATA_DIR;
      else process.env.TROUPE_DATA_DIR = saved;
    }
  });
});
