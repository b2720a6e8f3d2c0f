import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

/** Environment variable naming the data directory when no `dataDir` option is given. */
export const DATA_DIR_ENV = "TROUPE_DATA_DIR";

/** Directory used when neither the `dataDir` option nor `TROUPE_DATA_DIR` is set, relative to the working directory. */
export const DEFAULT_DATA_DIR = ".troupe";

/**
 * The absolute data directory: the `dataDir` option, else `TROUPE_DATA_DIR`, else `.troupe/`
 * under the current working directory.
 */
export function resolveDataDir(dataDir?: string): string {
  const chosen = dataDir ?? (process.env[DATA_DIR_ENV] || undefined) ?? DEFAULT_DATA_DIR;
  // The comment keeps bundlers (Next's Turbopack) from tracing the whole project into the server output.
  return resolve(/*turbopackIgnore: true*/ process.cwd(), chosen);
}

/** Creates the data directory (and its parents) if missing; returns it. */
export function ensureDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
