import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dirs = new Set<string>();

/** A fresh temp directory, removed by `removeTempDirs()` (the bench calls it on every exit path). */
export function benchTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `troupe-bench-${prefix}-`));
  dirs.add(dir);
  return dir;
}

/** Removes one temp directory now. */
export function removeTempDir(dir: string): void {
  dirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Removes every temp directory the bench made (synchronous: safe in an `exit` handler). */
export function removeTempDirs(): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
