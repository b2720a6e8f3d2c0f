import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryStore, actor, setup } from "@troupe/core";
import { tempDir } from "@troupe/testing";
import { createSqliteStore, DATABASE_FILE, serve } from "../src/index.js";
import { action, getOrCreate } from "./http.js";

// How serve() picks its store: SQLite by default, unless the registry or the caller says otherwise.

const counter = actor({
  state: { n: 0 },
  actions: {
    inc(c) {
      c.state.n += 1;
      return c.state.n;
    },
  },
});
const registry = () => setup({ use: { counter } });

const dirs: Array<ReturnType<typeof tempDir>> = [];
const newDir = () => {
  const d = tempDir("troupe-serve-store-");
  dirs.push(d);
  return d.path;
};
afterAll(() => {
  for (const d of dirs) d.remove();
});

async function bump(dataDir: string, opts: Parameters<typeof serve>[1] = {}) {
  const server = await serve(registry(), { port: 0, handleSignals: false, dataDir, ...opts });
  try {
    const { actorId } = await getOrCreate(server.url, "counter", ["one"]);
    return await action<number>(server.url, actorId, "inc");
  } finally {
    await server.close();
  }
}

describe("serve() storage", () => {
  it("stores in SQLite in dataDir by default, so state outlives the server", async () => {
    const dataDir = newDir();
    expect(await bump(dataDir)).toBe(1);
    expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(true);
    expect(await bump(dataDir)).toBe(2);
  });

  it('store: "memory" keeps nothing and touches no file', async () => {
    const dataDir = newDir();
    expect(await bump(dataDir, { store: "memory" })).toBe(1);
    expect(await bump(dataDir, { store: "memory" })).toBe(1);
    expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(false);
  });

  it("uses the registry's own store, and refuses a second one", async () => {
    const mem = new MemoryStore();
    const server = await serve(setup({ use: { counter }, store: mem }), { port: 0, handleSignals: false });
    const { actorId } = await getOrCreate(server.url, "counter", ["r"]);
    expect(await action(server.url, actorId, "inc")).toBe(1);
    expect(mem.findById(actorId)).toBeDefined();
    await server.close();
    await expect(serve(setup({ use: { counter }, store: new MemoryStore() }), { port: 0, handleSignals: false, dataDir: newDir() })).rejects.toThrow(
      /already has a store/,
    );
  });

  it("accepts a store object", async () => {
    const dataDir = newDir();
    const store = createSqliteStore({ dataDir, synchronous: "normal" });
    expect(await bump(dataDir, { store, dataDir: undefined })).toBe(1);
    expect(() => store.findById("x")).toThrow(/closed/); // the server closed it on shutdown
  });

  it("releases the data directory when it cannot listen", async () => {
    const dataDir = newDir();
    const blocker = await serve(registry(), { port: 0, handleSignals: false, store: "memory" });
    await expect(serve(registry(), { port: blocker.port, handleSignals: false, dataDir })).rejects.toThrow(/EADDRINUSE/);
    await blocker.close();
    expect(await bump(dataDir)).toBe(1); // no lock left behind in this process
  });
});
