export { serve } from "./serve.js";
export type { ServeOptions, TroupeServer } from "./serve.js";
export {
  createSqliteStore,
  SqliteStore,
  DataDirLockedError,
  resolveDataDir,
  DATA_DIR_ENV,
  DEFAULT_DATA_DIR,
  DATABASE_FILE,
  LOCK_FILE,
} from "./storage/index.js";
export type { SqliteStoreOptions } from "./storage/index.js";
