#!/usr/bin/env node
// Load test: many actors x many concurrent connections for a while against a real standalone
// server process on a fresh SQLite data directory; then every acknowledged increment must be
// stored. Prints requests, errors and lost increments (expected 0).
//
//   node scripts/load.mjs [--actors 1000] [--connections 64] [--duration 60]
//
// (Run `pnpm build` first.) The test suite runs a short version (packages/node/test/load.test.ts).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SERVER = fileURLToPath(new URL("../packages/node/test/fixtures/example-server.mjs", import.meta.url));

/** Starts the example server on a free port in a temp data dir; resolves with its URL and a stop(). */
async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), "troupe-load-"));
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, TROUPE_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /troupe listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`server exited early (${code})`)));
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, stop };
}

export async function runLoad({ actors = 1000, connections = 64, duration = 60 } = {}) {
  const server = await startServer();
  try {
    const ids = [];
    for (let i = 0; i < actors; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, actors - i) }, async (_, j) => {
          const res = await fetch(`${server.url}/actors`, {
            method: "PUT",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: "counter", key: ["load", String(i + j)] }),
          });
          return (await res.json()).actorId;
        }),
      );
      ids.push(...batch);
    }
    const acked = new Map(ids.map((id) => [id, 0]));
    let requests = 0;
    let errors = 0;
    let next = 0;
    const deadline = Date.now() + duration * 1000;
    const worker = async () => {
      while (Date.now() < deadline) {
        const id = ids[next++ % ids.length];
        requests++;
        try {
          const res = await fetch(`${server.url}/gateway/${id}/request/increment`, { method: "POST" });
          await res.arrayBuffer();
          if (res.status === 200) acked.set(id, acked.get(id) + 1);
          else errors++;
        } catch {
          errors++;
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: connections }, worker));
    const seconds = (Date.now() - started) / 1000;
    let lost = 0;
    let extra = 0;
    for (const id of ids) {
      const res = await fetch(`${server.url}/gateway/${id}/action/get`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"args":[]}',
      });
      const stored = (await res.json()).output;
      const want = acked.get(id);
      if (stored < want) lost += want - stored;
      if (stored > want) extra += stored - want;
    }
    return { actors, connections, seconds, requests, errors, lost, unacknowledgedButStored: extra, rps: Math.round(requests / seconds) };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const result = await runLoad({ actors: arg("actors", 1000), connections: arg("connections", 64), duration: arg("duration", 60) });
  console.log(JSON.stringify(result, null, 2));
  console.log(`requests ${result.requests}, errors ${result.errors}, lost increments ${result.lost} (${result.rps} req/s)`);
  process.exit(result.errors === 0 && result.lost === 0 ? 0 : 1);
}
