import { join } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { indexKey, type ActorRecord, type ActorStore, type ScheduledEvent, type StoredActor } from "@troupe/core";
import { ensureDataDir, resolveDataDir } from "./data-dir.js";
import { GroupCommit } from "./group-commit.js";
import { acquireDataDirLock, type DataDirLock } from "./lock.js";
import { migrate } from "./schema.js";

/** File name of the database inside the data directory (WAL mode adds `-wal` and `-shm` beside it). */
export const DATABASE_FILE = "troupe.db";

export interface SqliteStoreOptions {
  /**
   * Directory for the database and its lock. Default: `TROUPE_DATA_DIR`, else `.troupe/`
   * under the working directory. Created if missing.
   */
  dataDir?: string;
  /**
   * `full` (default): every commit is fsynced, so acknowledged state survives a power cut,
   * not only a crash of the process. `normal`: in WAL mode, survives any crash of the process
   * (SIGKILL included) but the last commits may roll back after an OS crash or power loss.
   */
  synchronous?: "full" | "normal";
}

/** An `actors` row as read for the index (also what the writer thread answers for a taken key). */
interface ActorRow {
  actor_id: string;
  name: string;
  key_json: string;
  created_at: number;
}

interface EventRow {
  event_id: string;
  actor_id: string;
  at: number;
  action: string;
  args: string;
}

/**
 * `ActorStore` on an embedded SQLite database (Node's built-in `node:sqlite`, no native addon).
 * WAL journal and prepared statements. Reads run on a connection in the calling thread; every
 * write goes through group commit on a writer thread (see `GroupCommit`). The data directory is
 * locked exclusively for as long as the store is open.
 */
export class SqliteStore implements ActorStore {
  /** Absolute data directory in use. */
  readonly dataDir: string;
  private readonly db: DatabaseSync;
  private readonly lock: DataDirLock;
  private readonly writes: GroupCommit;
  private readonly sql: Record<"byKey" | "byId" | "countByName" | "read" | "listEvents" | "firstEvents", StatementSync>;
  private closing: Promise<void> | undefined;

  constructor(options: SqliteStoreOptions = {}) {
    this.dataDir = ensureDataDir(resolveDataDir(options.dataDir));
    this.lock = acquireDataDirLock(this.dataDir);
    const path = join(this.dataDir, DATABASE_FILE);
    let db: DatabaseSync | undefined;
    try {
      this.db = db = openDatabase(path);
      const p = (sql: string) => db!.prepare(sql);
      this.sql = {
        byKey: p("SELECT actor_id, name, key_json, created_at FROM actors WHERE index_key = ?"),
        byId: p("SELECT actor_id, name, key_json, created_at FROM actors WHERE actor_id = ?"),
        countByName: p("SELECT count(*) AS n FROM actors WHERE name = ?"),
        read: p("SELECT state, input FROM actors WHERE actor_id = ?"),
        listEvents: p("SELECT event_id, actor_id, at, action, args FROM events ORDER BY at, rowid"),
        firstEvents: p("SELECT event_id, actor_id, at, action, args FROM events ORDER BY at, rowid LIMIT ?"),
      };
      this.writes = new GroupCommit({ path, synchronous: options.synchronous === "normal" ? "NORMAL" : "FULL" });
    } catch (err) {
      db?.close();
      this.lock.release();
      throw err;
    }
  }

  /** Commit statistics: transactions and writes committed since the store opened. */
  get stats(): { batches: number; writes: number } {
    return { batches: this.writes.batches, writes: this.writes.writes };
  }

  async insert(record: ActorRecord, input: string | undefined): Promise<{ record: ActorRecord; created: boolean }> {
    this.assertOpen();
    const result = await this.writes.enqueue({
      kind: "insert",
      actorId: record.actorId,
      name: record.name,
      keyJson: JSON.stringify(record.key),
      indexKey: indexKey(record.name, record.key),
      createdAt: record.createdAt,
      input: input ?? null,
    });
    if (result?.created === false) return { record: toRecord(result.existing), created: false };
    return { record, created: true };
  }

  findByKey(name: string, key: readonly string[]): ActorRecord | undefined {
    this.assertOpen();
    const row = this.sql.byKey.get(indexKey(name, key)) as ActorRow | undefined;
    return row && toRecord(row);
  }

  findById(actorId: string): ActorRecord | undefined {
    this.assertOpen();
    const row = this.sql.byId.get(actorId) as ActorRow | undefined;
    return row && toRecord(row);
  }

  countByName(name: string): number {
    this.assertOpen();
    return Number((this.sql.countByName.get(name) as { n: number }).n);
  }

  read(actorId: string): StoredActor | undefined {
    this.assertOpen();
    const row = this.sql.read.get(actorId) as { state: string | null; input: string | null } | undefined;
    return row && { state: row.state ?? undefined, input: row.input ?? undefined };
  }

  async writeState(actorId: string, state: string): Promise<void> {
    this.assertOpen();
    await this.writes.enqueue({ kind: "writeState", actorId, state });
  }

  async remove(actorId: string): Promise<void> {
    this.assertOpen();
    await this.writes.enqueue({ kind: "remove", actorId }); // scheduled events go too (ON DELETE CASCADE)
  }

  async addEvent(event: ScheduledEvent): Promise<void> {
    this.assertOpen();
    await this.writes.enqueue({
      kind: "addEvent",
      eventId: event.eventId,
      actorId: event.actorId,
      at: event.at,
      action: event.action,
      args: JSON.stringify(event.args),
    });
  }

  async removeEvent(eventId: string): Promise<void> {
    this.assertOpen();
    await this.writes.enqueue({ kind: "removeEvent", eventId });
  }

  listEvents(limit?: number): ScheduledEvent[] {
    this.assertOpen();
    const rows = limit === undefined ? this.sql.listEvents.all() : this.sql.firstEvents.all(limit);
    return (rows as unknown as EventRow[]).map((r) => ({
      eventId: r.event_id,
      actorId: r.actor_id,
      at: Number(r.at),
      action: r.action,
      args: JSON.parse(r.args) as unknown[],
    }));
  }

  /** Commits queued writes, stops the writer thread, closes the database and releases the data directory. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      try {
        await this.writes.close();
      } finally {
        this.db.close();
        this.lock.release();
      }
    })());
  }

  private assertOpen() {
    if (this.closing) throw new Error(`The SQLite store in ${this.dataDir} is closed`);
  }
}

/**
 * Opens the main-thread connection: switches the file to WAL (a persistent setting), brings the
 * schema up to date, then serves reads. Writes go through the writer thread's connection.
 */
function openDatabase(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { timeout: 5000, enableForeignKeyConstraints: true });
  try {
    db.exec("PRAGMA journal_mode = WAL");
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function toRecord(row: ActorRow): ActorRecord {
  return { actorId: row.actor_id, name: row.name, key: JSON.parse(row.key_json) as string[], createdAt: Number(row.created_at) };
}

/**
 * Opens (creating if needed) the SQLite store in `dataDir` and locks the directory.
 * Throws `DataDirLockedError` when another process uses the same directory.
 *
 * @example
 * const registry = setup({ use: { counter }, store: createSqliteStore({ dataDir: "./data" }) });
 */
export function createSqliteStore(options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(options);
}
