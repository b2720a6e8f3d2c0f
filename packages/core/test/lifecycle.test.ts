import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actor, setup, Unauthorized } from "../src/index.js";
import { createClient } from "../src/client/index.js";
import { listen } from "./http.js";

const events: string[] = [];
const seenDuring: Array<{ size: number; conn: unknown }> = [];

const tracked = actor({
  state: { count: 0 },
  createVars: () => ({ wakes: 0 }),
  onCreate: () => void events.push("onCreate"),
  onWake: (c) => {
    c.vars.wakes++;
    events.push("onWake");
  },
  onBeforeConnect: (_c, { params }) => {
    events.push("onBeforeConnect");
    if ((params as { deny?: boolean } | undefined)?.deny) throw new Unauthorized("denied");
  },
  onConnect: (c, conn) => void events.push(`onConnect ${conn.path} conns=${c.conns.size}`),
  onDisconnect: (c, conn) => void events.push(`onDisconnect ${conn.path} conns=${c.conns.size}`),
  onRequest: async (c, request) => {
    events.push("onRequest");
    const conn = c.conn!;
    seenDuring.push({ size: c.conns.size, conn: { method: conn.method, path: conn.path, fresh: Date.now() - conn.startedAt < 5000 } });
    if (new URL(request.url).pathname === "/throw") throw new Error("boom");
    return new Response("ok");
  },
  actions: {
    bump(c) {
      events.push("action");
      return ++c.state.count;
    },
  },
});

const registry = setup({ use: { tracked } });
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  server = await listen(registry.fetch);
});
afterAll(() => server.close());

describe("connection lifecycle over HTTP", () => {
  it("runs onCreate/onWake once, then onBeforeConnect -> onConnect -> onRequest -> onDisconnect per request", async () => {
    const client = createClient<typeof registry>(server.url);
    const handle = client.tracked.getOrCreate("order");
    events.length = 0;
    const res = await handle.fetch("/hello", { method: "POST", body: "x" });
    expect(await res.text()).toBe("ok");
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual([
      "onCreate",
      "onWake",
      "onBeforeConnect",
      "onConnect /hello conns=1",
      "onRequest",
      "onDisconnect /hello conns=0",
    ]);
    expect(seenDuring.at(-1)).toEqual({ size: 1, conn: { method: "POST", path: "/hello", fresh: true } });
  });

  it("actions go through the same hooks", async () => {
    const handle = createClient<typeof registry>(server.url).tracked.getOrCreate("order");
    events.length = 0;
    expect(await handle.bump()).toBe(1);
    expect(events).toEqual(["onBeforeConnect", "onConnect action:bump conns=1", "action", "onDisconnect action:bump conns=0"]);
  });

  it("a rejected connection never reaches onConnect/onRequest and answers 401", async () => {
    const handle = createClient<typeof registry>(server.url).tracked.getOrCreate("order", { params: { deny: true } });
    events.length = 0;
    const res = await handle.fetch("/secret");
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.code).toBe("unauthorized");
    expect(events).toEqual(["onBeforeConnect"]);
  });

  it("a throwing handler still disconnects exactly once, and the actor keeps serving", async () => {
    const handle = createClient<typeof registry>(server.url).tracked.getOrCreate("order");
    events.length = 0;
    expect((await handle.fetch("/throw")).status).toBe(500);
    expect(events.filter((e) => e.startsWith("onDisconnect"))).toEqual(["onDisconnect /throw conns=0"]);
    expect((await handle.fetch("/after")).status).toBe(200);
  });

  it("1,000 concurrent increments over HTTP lose nothing", async () => {
    const handle = createClient<typeof registry>(server.url).tracked.getOrCreate("concurrent");
    const results = await Promise.all(Array.from({ length: 1000 }, () => handle.bump()));
    expect(new Set(results).size).toBe(1000);
    expect(Math.max(...results)).toBe(1000);
  });
});
