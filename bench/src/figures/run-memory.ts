import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { trackChild } from "../procs.ts";
import { benchTempDir, removeTempDir } from "../tmp.ts";
import type { MemoryFigures, MemoryJob } from "./memory.ts";

/**
 * Measures memory per actor and wake latency in a fresh process (SQLite store, the default of
 * the standalone host). Its young generation is capped so that it does not pass for per-actor memory.
 */
export async function memoryFigures(actors: number, wakeSamples: number): Promise<MemoryFigures> {
  const dir = benchTempDir("memory");
  const job: MemoryJob = { actors, store: "sqlite", dataDir: join(dir, "data"), wakeSamples };
  try {
    return await new Promise<MemoryFigures>((resolve, reject) => {
      const script = fileURLToPath(new URL("./memory.ts", import.meta.url));
      const child = spawn(process.execPath, ["--expose-gc", "--max-semi-space-size=1", script, JSON.stringify(job)], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      trackChild(child);
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d));
      child.stderr.on("data", (d: Buffer) => (err += d));
      child.once("exit", (code) => {
        try {
          if (code !== 0) throw new Error(`exit ${code}`);
          resolve(JSON.parse(out.trim().split("\n").pop()!) as MemoryFigures);
        } catch (e) {
          reject(new Error(`memory figures failed (${String(e)}): ${err.slice(-2000)}`));
        }
      });
    });
  } finally {
    removeTempDir(dir);
  }
}
