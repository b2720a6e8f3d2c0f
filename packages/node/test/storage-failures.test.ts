/**
 * Storage failures: a full disk (simulated by failing writes of the real SQLite store) and a
 * database locked by another connection. The request fails with 503 `storage_error`, the process
 * and the actor survive, and the stored state is exactly the effect of the acknowledged requests.
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { actor, setup, type ActorStore } from "@troupe/core";
import { createClient } from "@troupe/core/client";
import { tempDir } from "@troupe/testing";
import { createSqliteStore, serve, type TroupeServer } from "../src/index.js";

const counter = actor({
  state: { count: 0 },
  actions: {
    increment: (c) => ++c.state.count,
    get: (c) => c.state.count,
  },
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function start(dataDir: string, wrap?: (store: ActorStore) => ActorStore) {
  const registry = setup({ use: { counter } });
  const sqlite = createSqliteStore({ dataDir });
  const server: TroupeServer = await serve(registry, { port: 0, handleSignals: false, store: wrap ? wrap(sqlite) : sqlite });
  return { server, client: createClient<typeof registry>(server.url) };
}

/** Sends an increment; returns the count, or the error code when it failed. */
async function increment(url: string, id: string): Promise<number | string> {
  const res = await fetch(`${url}/gateway/${id}/action/increment`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"args":[]}',
  });
  const body = (await res.json()) as { output?: number; error?: { code: string } };
  if (res.status === 200) return body.output!;
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBe("1");
  return body.error!.code;
}

describe("storage failures", () => {
  it("disk full: writes fail with 503 storage_error; failed requests have no effect; nothing acknowledged is lost", async () => {
    const dir = tempDir("troupe-diskfull-");
    cleanups.push(() => dir.remove());
    let full = false;
    const failing = (store: ActorStore): ActorStore =>
      new Proxy(store, {
        get(target, prop) {
          if (prop === "writeState" && full) {
            return () => Promise.reject(Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }));
          }
          const value = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    const first = await start(dir.path, failing);
    const handle = first.client.counter.getOrCreate("disk");
    const id = await handle.resolve();
    for (let i = 1; i <= 3; i++) expect(await increment(first.server.url, id)).toBe(i);

    full = true;
    const during = await Promise.all(Array.from({ length: 5 }, () => increment(first.server.url, id)));
    expect(during).toEqual(Array(5).fill("storage_error"));

    full = false;
    expect(await handle.get()).toBe(3); // reloaded from the last commit: the failed increments left no trace
    expect(await increment(first.server.url, id)).toBe(4);
    await first.server.close();

    const second = await start(dir.path);
    cleanups.push(() => second.server.close());
    expect(await second.client.counter.getForId(id).get()).toBe(4);
  });

  it("database locked by another connection: 503 storage_error, then writes resume; the stored count is consistent", async () => {
    const dir = tempDir("troupe-locked-");
    cleanups.push(() => dir.remove());
    const { server, client } = await start(dir.path);
    cleanups.push(() => server.close());
    const id = await client.counter.getOrCreate("locked").resolve();
    expect(await increment(server.url, id)).toBe(1);

    const other = new DatabaseSync(join(dir.path, "troupe.db"), { timeout: 0 });
    other.exec("BEGIN EXCLUSIVE");
    let results: Array<number | string>;
    try {
      results = await Promise.all([increment(server.url, id), increment(server.url, id)]);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(results).toEqual(["storage_error", "storage_error"]);

    expect(await client.counter.getForId(id).get()).toBe(1);
    expect(await increment(server.url, id)).toBe(2);
  }, 30_000);
});
