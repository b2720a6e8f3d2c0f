import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actor, setup } from "@troupe/core";
import { tempDir } from "@troupe/testing";
import { createSqliteStore, serve, type SqliteStore, type TroupeServer } from "../src/index.js";
import { action, callAction, delay, getOrCreate, waitFor } from "./http.js";

// Lifecycle over real HTTP on a real SQLite file, in this process so the test can watch the
// manager (which instances are in memory) and the store (what is committed) directly.

const hooks: string[] = [];
const hooksOf = (id: string) => hooks.filter((h) => h.endsWith(` ${id}`)).map((h) => h.split(" ")[0]);
const note = (hook: string) => (c: { actorId: string }) => void hooks.push(`${hook} ${c.actorId}`);

const SLEEP_MS = 500;

const sleepy = actor({
  state: { count: 0 },
  options: { sleepTimeout: SLEEP_MS },
  onCreate: note("onCreate"),
  onWake: note("onWake"),
  onSleep: note("onSleep"),
  onDestroy: note("onDestroy"),
  actions: {
    increment(c) {
      c.state.count += 1;
      return c.state.count;
    },
    nap(c) {
      c.sleep();
    },
    later: (c, ms: number) => c.schedule.after(ms, "increment"),
    selfDestruct(c) {
      c.destroy();
    },
  },
  async onRequest(c, request) {
    const ms = Number(new URL(request.url).searchParams.get("ms") ?? 0);
    await delay(ms);
    c.state.count += 1;
    return Response.json({ count: c.state.count });
  },
});

/** Sleeps only when asked (its timeout is a minute). */
const dozer = actor({
  state: { count: 0 },
  options: { sleepTimeout: 60_000 },
  actions: {
    increment(c) {
      c.state.count += 1;
      return c.state.count;
    },
    nap(c) {
      c.sleep();
    },
  },
});

const account = actor({
  createState: (_c: unknown, input: { opening?: number } | undefined) => ({ balance: input?.opening ?? 0, opening: input ?? null }),
  onCreate: (c, input: { opening?: number } | undefined) => void hooks.push(`onCreate:${JSON.stringify(input)} ${c.actorId}`),
  actions: { state: (c) => c.state, nap: (c) => c.sleep() },
});

const alarm = actor({
  state: { rings: [] as Array<{ tag: string; due: number; at: number }> },
  options: { sleepTimeout: 100 },
  onWake: note("onWake"),
  onSleep: note("onSleep"),
  actions: {
    after: (c, ms: number, tag: string) => c.schedule.after(ms, "ring", tag, Date.now() + ms),
    at: (c, when: number, tag: string) => c.schedule.at(when, "ring", tag, when),
    cancel: (c, id: string) => c.schedule.cancel(id),
    ring(c, tag: string, due: number) {
      c.state.rings.push({ tag, due, at: Date.now() });
    },
    rings: (c) => c.state.rings,
    /** Rings, then schedules itself again right away while the scheduler is still firing. */
    async relay(c, left: number) {
      c.state.rings.push({ tag: `relay${left}`, due: 0, at: Date.now() });
      if (left > 0) await c.schedule.after(0, "relay", left - 1);
    },
  },
});

const lazy = actor({
  state: { count: 0 },
  options: { durability: "relaxed", saveInterval: 1000 },
  actions: {
    increment(c) {
      c.state.count += 1;
      return c.state.count;
    },
  },
});

const makeRegistry = () => setup({ use: { sleepy, dozer, account, alarm, lazy } });

const dir = tempDir("troupe-lifecycle-");
let registry: ReturnType<typeof makeRegistry>;
let store: SqliteStore;
let server: TroupeServer;
let base: string;
let n = 0;
const fresh = (label: string) => [`${label}-${++n}`];

async function open() {
  registry = makeRegistry();
  store = createSqliteStore({ dataDir: dir.path });
  server = await serve(registry, { port: 0, store, handleSignals: false });
  base = server.url;
}
const manager = () => registry.manager();
const storedState = (id: string) => {
  const s = store.read(id)?.state;
  return s === undefined ? undefined : JSON.parse(s);
};

beforeAll(open);
afterAll(async () => {
  await server?.close();
  dir.remove();
});

describe("durability", () => {
  it("commits state before the response is sent (strict, the default)", async () => {
    const { actorId } = await getOrCreate(base, "sleepy", fresh("strict"));
    for (let i = 1; i <= 5; i++) {
      expect(await action(base, actorId, "increment")).toBe(i);
      expect(storedState(actorId)).toEqual({ count: i }); // already on disk when the answer arrives
    }
  });

  it("a relaxed actor is saved on its interval instead", async () => {
    const { actorId } = await getOrCreate(base, "lazy", fresh("relaxed"));
    await action(base, actorId, "increment"); // first wake commits the initial state
    expect(await action(base, actorId, "increment")).toBe(2);
    expect(storedState(actorId)?.count).toBeLessThan(2);
    await waitFor(() => storedState(actorId)?.count === 2, 3000);
  });
});

describe("sleep and wake", () => {
  it("sleeps after sleepTimeout and wakes on the next request with its state intact", async () => {
    const m = await manager();
    const { actorId } = await getOrCreate(base, "sleepy", fresh("nap"));
    expect(await action(base, actorId, "increment")).toBe(1);
    expect(await action(base, actorId, "increment")).toBe(2);
    expect(m.isAwake(actorId)).toBe(true);
    expect(hooksOf(actorId)).toEqual(["onCreate", "onWake"]);

    await waitFor(() => !m.isAwake(actorId), 3000);
    expect(hooksOf(actorId)).toEqual(["onCreate", "onWake", "onSleep"]);
    expect(storedState(actorId)).toEqual({ count: 2 });

    expect(await action(base, actorId, "increment")).toBe(3); // woken transparently
    expect(m.isAwake(actorId)).toBe(true);
    expect(hooksOf(actorId)).toEqual(["onCreate", "onWake", "onSleep", "onWake"]);
  });

  it("unloads sleeping actors from memory", async () => {
    const m = await manager();
    const ids = await Promise.all(Array.from({ length: 20 }, async () => (await getOrCreate(base, "sleepy", fresh("crowd"))).actorId));
    await Promise.all(ids.map((id) => action(base, id, "increment")));
    const peak = m.liveCount;
    expect(ids.filter((id) => m.isAwake(id))).toHaveLength(20);
    await waitFor(() => ids.every((id) => !m.isAwake(id)), 5000);
    expect(m.liveCount).toBeLessThanOrEqual(peak - 20);
    expect(ids.every((id) => storedState(id)?.count === 1)).toBe(true);
  });

  it("an in-flight slow request keeps the actor awake", async () => {
    const m = await manager();
    const { actorId } = await getOrCreate(base, "sleepy", fresh("busy"));
    const slow = fetch(`${base}/gateway/${actorId}/request/work?ms=${4 * SLEEP_MS}`);
    await waitFor(() => m.isAwake(actorId));
    await delay(3 * SLEEP_MS); // three sleep timeouts pass while the request is in flight
    expect(m.isAwake(actorId)).toBe(true);
    expect(hooksOf(actorId)).not.toContain("onSleep");
    const res = await slow;
    expect(await res.json()).toEqual({ count: 1 });
    await waitFor(() => !m.isAwake(actorId), 3000); // idle again: now it sleeps
    expect(hooksOf(actorId)).toContain("onSleep");
  });

  it("c.sleep() unloads the actor once its handler returns", async () => {
    const m = await manager();
    const { actorId } = await getOrCreate(base, "dozer", fresh("nap-now"));
    await action(base, actorId, "increment");
    expect(m.isAwake(actorId)).toBe(true);
    await action(base, actorId, "nap");
    await waitFor(() => !m.isAwake(actorId), 5000); // its sleepTimeout is a minute
    expect(await action(base, actorId, "increment")).toBe(2);
  });
});

describe("destroy", () => {
  it("DELETE /actors/{id} runs onDestroy, removes storage and events, answers 404 after; the key is reusable", async () => {
    const key = fresh("doomed");
    const { actorId } = await getOrCreate(base, "sleepy", key);
    await action(base, actorId, "increment");
    await action(base, actorId, "later", 60_000);
    expect((await store.listEvents()).some((e) => e.actorId === actorId)).toBe(true);

    const res = await fetch(`${base}/actors/${actorId}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ actorId, destroyed: true });
    expect(hooksOf(actorId)).toContain("onDestroy");
    expect(store.findById(actorId)).toBeUndefined();
    expect(store.read(actorId)).toBeUndefined();
    expect((await store.listEvents()).some((e) => e.actorId === actorId)).toBe(false);
    expect((await manager()).isAwake(actorId)).toBe(false);

    expect((await fetch(`${base}/actors/${actorId}`)).status).toBe(404);
    const gone = await callAction(base, actorId, "increment");
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("actor_not_found");
    expect((await fetch(`${base}/actors/${actorId}`, { method: "DELETE" })).status).toBe(404);

    const again = await getOrCreate(base, "sleepy", key);
    expect(again.created).toBe(true);
    expect(again.actorId).not.toBe(actorId);
    expect(await action(base, again.actorId, "increment")).toBe(1); // a new life, fresh state
    expect(hooksOf(again.actorId)[0]).toBe("onCreate");
  });

  it("c.destroy() destroys the actor after its handler returns", async () => {
    const { actorId } = await getOrCreate(base, "sleepy", fresh("self"));
    await action(base, actorId, "selfDestruct");
    await waitFor(() => store.findById(actorId) === undefined, 2000);
    expect(hooksOf(actorId)).toContain("onDestroy");
    expect((await fetch(`${base}/actors/${actorId}`)).status).toBe(404);
  });

  it("concurrent DELETEs run onDestroy once", async () => {
    const { actorId } = await getOrCreate(base, "sleepy", fresh("twice"));
    await action(base, actorId, "increment");
    const statuses = await Promise.all([1, 2, 3].map(() => fetch(`${base}/actors/${actorId}`, { method: "DELETE" }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 404)).toHaveLength(2);
    expect(hooksOf(actorId).filter((h) => h === "onDestroy")).toHaveLength(1);
  });
});

describe("input", () => {
  it("createState and onCreate receive the creation input, once in the actor's life", async () => {
    const key = fresh("acct");
    const { actorId, created } = await getOrCreate(base, "account", key, { opening: 42 });
    expect(created).toBe(true);
    expect(await action(base, actorId, "state")).toEqual({ balance: 42, opening: { opening: 42 } });
    await action(base, actorId, "nap");
    await waitFor(async () => !(await manager()).isAwake(actorId));
    // A second get-or-create with other input finds the same actor; input is not applied again.
    const again = await getOrCreate(base, "account", key, { opening: 7 });
    expect(again).toEqual({ actorId, name: "account", key, created: false });
    expect(await action(base, actorId, "state")).toEqual({ balance: 42, opening: { opening: 42 } });
    expect(hooks.filter((h) => h.endsWith(` ${actorId}`))).toEqual([`onCreate:{"opening":42} ${actorId}`]);
  });

  it("input given at creation is kept on disk until the actor first runs, across a restart", async () => {
    const { actorId } = await getOrCreate(base, "account", fresh("cold"), { opening: 9 });
    expect(store.read(actorId)).toEqual({ state: undefined, input: JSON.stringify({ opening: 9 }) });
    await server.close(); // never woken in this process
    await open();
    expect(await action(base, actorId, "state")).toEqual({ balance: 9, opening: { opening: 9 } });
    expect(store.read(actorId)?.input).toBeUndefined(); // consumed once state exists
  });
});

describe("schedule", () => {
  it("fires on time, waking the sleeping actor; schedule.at works; cancelled events never fire", async () => {
    const m = await manager();
    const { actorId } = await getOrCreate(base, "alarm", fresh("alarm"));
    await action(base, actorId, "after", 1500, "soon");
    await action(base, actorId, "at", Date.now() + 1700, "at");
    const cancelId = await action<string>(base, actorId, "after", 1600, "cancelled");
    await action(base, actorId, "cancel", cancelId);

    await waitFor(() => !m.isAwake(actorId), 1200); // sleepTimeout 100 ms: asleep before anything is due
    expect(hooksOf(actorId)).toEqual(["onWake", "onSleep"]);

    await waitFor(() => (storedState(actorId)?.rings.length ?? 0) >= 2, 5000);
    await delay(300);
    const rings = storedState(actorId).rings as Array<{ tag: string; due: number; at: number }>;
    expect(rings.map((r) => r.tag)).toEqual(["soon", "at"]);
    for (const r of rings) {
      expect(r.at).toBeGreaterThanOrEqual(r.due);
      expect(r.at - r.due).toBeLessThan(400); // a timer, a wake from disk and a commit
    }
    expect(hooksOf(actorId).slice(0, 3)).toEqual(["onWake", "onSleep", "onWake"]); // the alarm woke it
  });

  it("many events due at once each fire exactly once", async () => {
    const { actorId } = await getOrCreate(base, "alarm", fresh("burst"));
    const now = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => action(base, actorId, "at", now + 200 + (i % 3), `e${i}`)));
    await waitFor(() => (storedState(actorId)?.rings.length ?? 0) >= 10, 5000);
    await delay(300);
    const tags = (storedState(actorId).rings as Array<{ tag: string }>).map((r) => r.tag).sort();
    expect(tags).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`).sort());
    expect((await store.listEvents()).filter((e) => e.actorId === actorId)).toEqual([]);
  });

  it("more due events than the scheduler reads at once all fire, once each", async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5].map(async () => (await getOrCreate(base, "alarm", fresh("many"))).actorId));
    const at = Date.now() + 1000;
    await Promise.all(Array.from({ length: 250 }, (_, i) => action(base, ids[i % 5]!, "at", at, `m${i}`)));
    const ringsOf = (id: string) => (storedState(id)?.rings ?? []) as Array<{ tag: string }>;
    await waitFor(() => ids.reduce((n, id) => n + ringsOf(id).length, 0) >= 250, 20_000, 50);
    await delay(300);
    const tags = ids.flatMap((id) => ringsOf(id).map((r) => r.tag)).sort();
    expect(tags).toEqual(Array.from({ length: 250 }, (_, i) => `m${i}`).sort());
    expect((await store.listEvents()).filter((e) => ids.includes(e.actorId))).toEqual([]);
  }, 30_000);

  it("an action that schedules itself again from inside a firing runs once per event", async () => {
    const { actorId } = await getOrCreate(base, "alarm", fresh("relay"));
    await action(base, actorId, "relay", 5);
    await waitFor(() => (storedState(actorId)?.rings.length ?? 0) >= 6, 5000);
    await delay(300);
    const tags = (storedState(actorId).rings as Array<{ tag: string }>).map((r) => r.tag);
    expect(tags).toEqual(["relay5", "relay4", "relay3", "relay2", "relay1", "relay0"]);
    expect((await store.listEvents()).filter((e) => e.actorId === actorId)).toEqual([]);
  });
});
