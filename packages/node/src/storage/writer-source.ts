/**
 * Source of the SQLite writer thread, started with `new Worker(WRITER_SOURCE, { eval: true })`.
 *
 * It is a string on purpose: a worker file next to this module would not survive bundling (Vite,
 * webpack and Turbopack copy `@troupe/node` into their own chunks), while a string travels
 * anywhere. It uses only `process.getBuiltinModule`, so no bundler rewrites its imports. The
 * messages it speaks are typed in `write-ops.ts`; every write of the test suite goes through it.
 *
 * The thread owns the only writing connection and runs each batch as one transaction, so the
 * main thread never blocks on a commit's fsync.
 */
export const WRITER_SOURCE = String.raw`
"use strict";
const { parentPort, workerData } = process.getBuiltinModule("node:worker_threads");
const { DatabaseSync } = process.getBuiltinModule("node:sqlite");

const db = new DatabaseSync(workerData.path, { timeout: 5000, enableForeignKeyConstraints: true });
db.exec("PRAGMA synchronous = " + (workerData.synchronous === "NORMAL" ? "NORMAL" : "FULL"));

const sql = {
  begin: db.prepare("BEGIN IMMEDIATE"),
  commit: db.prepare("COMMIT"),
  rollback: db.prepare("ROLLBACK"),
  insert: db.prepare(
    "INSERT INTO actors (actor_id, name, key_json, index_key, created_at, input, state) " +
      "VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (index_key) DO NOTHING",
  ),
  byKey: db.prepare("SELECT actor_id, name, key_json, created_at FROM actors WHERE index_key = ?"),
  writeState: db.prepare("UPDATE actors SET state = ?, input = NULL WHERE actor_id = ?"),
  remove: db.prepare("DELETE FROM actors WHERE actor_id = ?"),
  addEvent: db.prepare("INSERT INTO events (event_id, actor_id, at, action, args) VALUES (?, ?, ?, ?, ?)"),
  removeEvent: db.prepare("DELETE FROM events WHERE event_id = ?"),
};

const apply = (op) => {
  switch (op.kind) {
    case "insert": {
      const { changes } = sql.insert.run(op.actorId, op.name, op.keyJson, op.indexKey, op.createdAt, op.input);
      return Number(changes) === 1 ? { created: true } : { created: false, existing: { ...sql.byKey.get(op.indexKey) } };
    }
    case "writeState":
      sql.writeState.run(op.state, op.actorId);
      return undefined;
    case "remove":
      sql.remove.run(op.actorId); // its events go too (ON DELETE CASCADE)
      return undefined;
    case "addEvent":
      sql.addEvent.run(op.eventId, op.actorId, op.at, op.action, op.args);
      return undefined;
    case "removeEvent":
      sql.removeEvent.run(op.eventId);
      return undefined;
    default:
      throw new Error("unknown write " + op.kind);
  }
};

const failure = (err) => ({ message: String((err && err.message) || err), errcode: err && err.errcode });

// One transaction per batch. A failing write fails alone: each is a single statement, which
// SQLite rolls back by itself. Some errors (I/O, disk full) roll back the whole transaction.
const runBatch = (ops) => {
  try {
    sql.begin.run();
  } catch (err) {
    return { type: "failed", ...failure(err) };
  }
  const outcomes = [];
  for (const op of ops) {
    if (!db.isTransaction) break;
    try {
      outcomes.push({ ok: true, value: apply(op) });
    } catch (err) {
      outcomes.push({ ok: false, ...failure(err) });
    }
  }
  if (!db.isTransaction) {
    return { type: "failed", message: "The storage transaction was rolled back; nothing in this batch was saved" };
  }
  try {
    sql.commit.run();
  } catch (err) {
    try {
      if (db.isTransaction) sql.rollback.run();
    } catch {}
    return { type: "failed", ...failure(err) };
  }
  return { type: "committed", outcomes };
};

parentPort.on("message", (msg) => {
  if (msg.type === "batch") {
    parentPort.postMessage(runBatch(msg.ops));
  } else {
    db.close();
    parentPort.close();
  }
});
`;
