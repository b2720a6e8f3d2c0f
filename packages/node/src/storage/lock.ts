import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** File holding the lock: a tiny SQLite database kept exclusively locked while a process owns the data directory. */
export const LOCK_FILE = "lock.db";
/** Informational only: who took the lock, for the error message. The lock itself is the SQLite file lock. */
const OWNER_FILE = "lock.owner.json";

/** Thrown when another process (or another store in this process) already uses the data directory. */
export class DataDirLockedError extends Error {
  readonly code = "data_dir_locked";
  constructor(
    readonly dataDir: string,
    owner: { pid?: number; hostname?: string; since?: string } | undefined,
  ) {
    const here = owner?.pid === process.pid && owner.hostname === hostname();
    super(
      here
        ? `The Troupe data directory ${dataDir} is already open in this process (since ${owner.since}): a second ` +
            `store was created for it, usually by a second registry (a module evaluated once per bundle). Keep one ` +
            `registry per process (e.g. on globalThis), or open the store on first use with \`useStore(() => ...)\`.`
        : `The Troupe data directory ${dataDir} is in use by another process` +
            `${owner ? ` (pid ${owner.pid} on ${owner.hostname}, since ${owner.since})` : ""}. ` +
            `Two servers must not share one data directory: stop the other one, or give this one its own ` +
            `directory with the \`dataDir\` option or the TROUPE_DATA_DIR environment variable.`,
    );
    this.name = "DataDirLockedError";
  }
}

/** A held lock on a data directory; `release()` is idempotent. */
export interface DataDirLock {
  release(): void;
}

/**
 * Takes the exclusive lock of `dataDir` or throws `DataDirLockedError`.
 *
 * The lock is SQLite's own file lock on `lock.db`, held by an open connection in
 * `locking_mode=EXCLUSIVE`. The operating system drops it when the process ends in any way,
 * SIGKILL included, so there is never a stale lock to clean up.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  const db = new DatabaseSync(path, { timeout: 0 });
  try {
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    // An exclusive transaction takes the file lock; in exclusive locking mode it is kept after COMMIT.
    db.exec("BEGIN EXCLUSIVE");
    db.exec("CREATE TABLE IF NOT EXISTS lock_holder (pid INTEGER)");
    db.exec("COMMIT");
  } catch (err) {
    db.close();
    if (isBusy(err)) throw new DataDirLockedError(dataDir, readOwner(dataDir));
    throw err;
  }
  const ownerPath = join(dataDir, OWNER_FILE);
  try {
    writeFileSync(ownerPath, JSON.stringify({ pid: process.pid, hostname: hostname(), since: new Date().toISOString() }));
  } catch {
    /* informational only */
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      rmSync(ownerPath, { force: true });
      db.close();
    },
  };
}

function isBusy(err: unknown): boolean {
  const e = err as { errcode?: number; message?: string };
  // SQLITE_BUSY = 5, SQLITE_LOCKED = 6 (extended codes keep the primary code in the low byte).
  const primary = typeof e.errcode === "number" ? e.errcode & 0xff : undefined;
  return primary === 5 || primary === 6 || /database is locked/i.test(e.message ?? "");
}

function readOwner(dataDir: string): { pid?: number; hostname?: string; since?: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, OWNER_FILE), "utf8")) as { pid?: number; hostname?: string; since?: string };
  } catch {
    return undefined;
  }
}
