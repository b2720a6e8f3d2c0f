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
 * WAL journal, one connection, prepared statements, group commit for every write, and an
 * exclusive lock on the data directory for as long as the store is open.
 */
export class SqliteStore implements ActorStore {
  /** Absolute data directory in use. */
  readonly dataDir: string;
  private readonly db: DatabaseSync;
  private readonly lock: DataDirLock;
  private readonly writes: GroupCommit;
  private readonly sql: Record<
    | "insert"
    | "byKey"
    | "byId"
    | "countByName"
    | "read"
    | "writeState"
    | "remove"
    | "addEvent"
    | "removeEvent"
    | "listEvents",
    StatementSync
  >;
  private closed = false;

  constructor(options: SqliteStoreOptions = {}) {
    this.dataDir = ensureDataDir(resolveDataDir(options.dataDir));
    this.lock = acquireDataDirLock(this.dataDir);
    try {
      this.db = openDatabase(join(this.dataDir, DATABASE_FILE), options.synchronous ?? "full");
    } catch (err) {
      this.lock.release();
      throw err;
    }
    const p = (sql: string) => this.db.prepare(sql);
    this.sql = {
      insert: p(
        `INSERT INTO actors (actor_id, name, key_json, index_key, created_at, input, state)
         VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (index_key) DO NOTHING`,
      ),
      byKey: p("SELECT actor_id, name, key_json, created_at FROM actors WHERE index_key = ?"),
      byId: p("SELECT actor_id, name, key_json, created_at FROM actors WHERE actor_id = ?"),
      countByName: p("SELECT count(*) AS n FROM actors WHERE name = ?"),
      read: p("SELECT state, input FROM actors WHERE actor_id = ?"),
      writeState: p("UPDATE actors SET state = ?, input = NULL WHERE actor_id = ?"),
      remove: p("DELETE FROM actors WHERE actor_id = ?"),
      addEvent: p("INSERT INTO events (event_id, actor_id, at, action, args) VALUES (?, ?, ?, ?, ?)"),
      removeEvent: p("DELETE FROM events WHERE event_id = ?"),
      listEvents: p("SELECT event_id, actor_id, at, action, args FROM events ORDER BY at, rowid"),
    };
    this.writes = new GroupCommit(this.db);
  }

  /** Commit statistics: transactions and writes committed since the store opened. */
  get stats(): { batches: number; writes: number } {
    return { batches: this.writes.batches, writes: this.writes.writes };
  }

  insert(record: ActorRecord, input: string | undefined): Promise<{ record: ActorRecord; created: boolean }> {
    this.assertOpen();
    const k = indexKey(record.name, record.key);
    return this.writes.enqueue(() => {
      const { changes } = this.sql.insert.run(record.actorId, record.name, JSON.stringify(record.key), k, record.createdAt, input ?? null);
      if (Number(changes) === 1) return { record, created: true };
      return { record: toRecord(this.sql.byKey.get(k) as unknown as ActorRow), created: false };
    });
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

  writeState(actorId: string, state: string): Promise<void> {
    this.assertOpen();
    return this.writes.enqueue(() => {
      this.sql.writeState.run(state, actorId);
    });
  }

  remove(actorId: string): Promise<void> {
    this.assertOpen();
    // Scheduled events go too (ON DELETE CASCADE).
    return this.writes.enqueue(() => {
      this.sql.remove.run(actorId);
    });
  }

  addEvent(event: ScheduledEvent): Promise<void> {
    this.assertOpen();
    const args = JSON.stringify(event.args);
    return this.writes.enqueue(() => {
      this.sql.addEvent.run(event.eventId, event.actorId, event.at, event.action, args);
    });
  }

  removeEvent(eventId: string): Promise<void> {
    this.assertOpen();
    return this.writes.enqueue(() => {
      this.sql.removeEvent.run(eventId);
    });
  }

  listEvents(): ScheduledEvent[] {
    this.assertOpen();
    return (this.sql.listEvents.all() as unknown as EventRow[]).map((r) => ({
      eventId: r.event_id,
      actorId: r.actor_id,
      at: Number(r.at),
      action: r.action,
      args: JSON.parse(r.args) as unknown[],
    }));
  }

  /** Commits queued writes, closes the database and releases the data directory. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.writes.flush();
    this.closed = true;
    try {
      this.db.close();
    } finally {
      this.lock.release();
    }
  }

  private assertOpen() {
    if (this.closed) throw new Error(`The SQLite store in ${this.dataDir} is closed`);
  }
}

/** Opens the database in WAL mode with the chosen fsync policy and the current schema. */
function openDatabase(path: string, synchronous: "full" | "normal"): DatabaseSync {
  // The busy timeout only matters for outside readers (e.g. a backup tool) holding a lock briefly.
  const db = new DatabaseSync(path, { timeout: 5000, enableForeignKeyConstraints: true });
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${synchronous === "normal" ? "NORMAL" : "FULL"}`);
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
