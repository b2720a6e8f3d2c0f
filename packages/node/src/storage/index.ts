export { createSqliteStore, SqliteStore, DATABASE_FILE } from "./sqlite-store.js";
export type { SqliteStoreOptions } from "./sqlite-store.js";
export { DataDirLockedError, LOCK_FILE } from "./lock.js";
export { DATA_DIR_ENV, DEFAULT_DATA_DIR, resolveDataDir } from "./data-dir.js";
