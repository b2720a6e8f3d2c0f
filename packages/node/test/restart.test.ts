import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startProcess, tempDir, type StartedProcess } from "@troupe/testing";
import { DATABASE_FILE, LOCK_FILE } from "../src/index.js";
import { action, delay, getOrCreate, waitFor } from "./http.js";

// Real server processes on one data directory: scheduled actions survive a crash, and a second
// process on the same directory refuses to start.

const SERVER = fileURLToPath(new URL("./fixtures/durable-server.mjs", import.meta.url));
const READY = /troupe listening on (\S+)/;

const dirs: Array<ReturnType<typeof tempDir>> = [];
const procs: StartedProcess[] = [];
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  for (const d of dirs) d.remove();
});

function newDir() {
  const d = tempDir("troupe-restart-");
  dirs.push(d);
  return d.path;
}

async function start(dataDir: string, cwd?: string) {
  const proc = await startProcess(process.execPath, [SERVER], {
    cwd,
    env: { TROUPE_DATA_DIR: dataDir },
    readyPattern: READY,
  });
  procs.push(proc);
  return { proc, base: READY.exec(proc.output())![1]! };
}

describe("schedule across a restart", () => {
  it("an action that came due while the server was down fires right after the restart", async () => {
    const dataDir = newDir();
    const first = await start(dataDir);
    const { actorId } = await getOrCreate(first.base, "timer", ["wake-me"]);
    await action(first.base, actorId, "arm", 60_000, "far"); // must stay pending
    const armedAt = Date.now();
    await action(first.base, actorId, "arm", 800, "due-while-down");
    await first.proc.kill(); // SIGKILL: the schedule only exists on disk now

    await delay(Math.max(0, armedAt + 1300 - Date.now())); // due 500 ms ago
    const second = await start(dataDir);
    const startedAt = Date.now();
    await waitFor(() => second.proc.output().includes("fired due-while-down"), 5000);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    // Nothing asked for the actor: the schedule woke it from its sleep on disk.
    const out = second.proc.output();
    expect(out.indexOf("hook onWake timer/wake-me")).toBeGreaterThan(-1);
    expect(out.indexOf("hook onWake timer/wake-me")).toBeLessThan(out.indexOf("fired due-while-down"));

    const fired = await action<Array<{ tag: string; due: number; at: number }>>(second.base, actorId, "fired");
    expect(fired.map((f) => f.tag)).toEqual(["due-while-down"]);
    expect(fired[0]!.at).toBeGreaterThanOrEqual(fired[0]!.due);
    await second.proc.stop();
  });

  it("an action scheduled before a clean restart fires on time after it", async () => {
    const dataDir = newDir();
    const first = await start(dataDir);
    const { actorId } = await getOrCreate(first.base, "timer", ["on-time"]);
    await action(first.base, actorId, "arm", 1500, "after-restart");
    await first.proc.stop(); // SIGTERM: graceful shutdown commits and releases everything
    const second = await start(dataDir);
    await waitFor(() => second.proc.output().includes("fired after-restart"), 5000);
    const [f] = await action<Array<{ tag: string; due: number; at: number }>>(second.base, actorId, "fired");
    expect(f!.at).toBeGreaterThanOrEqual(f!.due);
    expect(f!.at - f!.due).toBeLessThan(400);
    await second.proc.stop();
  });
});

describe("relaxed durability across restarts", () => {
  it("a graceful stop (SIGTERM) commits relaxed state; a crash (SIGKILL) loses the unsaved interval", async () => {
    const dataDir = newDir();
    const first = await start(dataDir);
    const { actorId } = await getOrCreate(first.base, "lazy", ["relaxed"]);
    for (let i = 0; i < 3; i++) await action(first.base, actorId, "increment");
    await first.proc.stop(); // SIGTERM: serve() puts every actor to sleep, which commits

    const second = await start(dataDir);
    expect(await action(second.base, actorId, "increment")).toBe(4);
    await second.proc.kill(); // SIGKILL within the save interval

    const third = await start(dataDir);
    expect(await action(third.base, actorId, "increment")).toBe(4); // the 4th was never saved
    await third.proc.stop();
  });
});

describe("one process per data directory", () => {
  it("a second process on the same directory fails at start with a clear error; it starts once the first is gone", async () => {
    const dataDir = newDir();
    const first = await start(dataDir);
    const { actorId } = await getOrCreate(first.base, "tally", ["shared"]);
    await action(first.base, actorId, "add", "a", 1);

    const err = await start(dataDir).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain("exited before it was ready");
    expect(err!.message).toContain("DataDirLockedError");
    expect(err!.message).toContain(`data directory ${dataDir} is in use by another process (pid ${first.proc.child.pid}`);
    expect(err!.message).toContain("TROUPE_DATA_DIR");

    // The first server is unharmed by the attempt.
    expect(await action(first.base, actorId, "add", "a", 2)).toBe(2);

    // SIGKILL leaves no stale lock: the OS released it with the process.
    await first.proc.kill();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);
    const second = await start(dataDir);
    expect(await action(second.base, actorId, "get")).toEqual({ count: 2, last: { a: 2 } });
    await second.proc.stop();
  });

  it("defaults to .troupe/ under the working directory when TROUPE_DATA_DIR is empty", async () => {
    const cwd = newDir();
    const { proc, base } = await start("", cwd);
    await getOrCreate(base, "tally", ["here"]);
    expect(existsSync(join(cwd, ".troupe", DATABASE_FILE))).toBe(true);
    await proc.stop();
  });
});
