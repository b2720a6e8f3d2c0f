import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actor, setup } from "../src/index.js";
import { createClient } from "../src/client/index.js";
import { listen } from "./http.js";

const sink = actor({
  state: { uploads: 0, bytes: 0 },
  createVars: () => ({ readErrors: 0, disconnects: 0 }),
  onDisconnect: (c, conn) => {
    if (!conn.path.startsWith("action:")) c.vars.disconnects++;
  },
  async onRequest(c, request) {
    try {
      const body = await request.arrayBuffer();
      c.state.uploads++;
      c.state.bytes += body.byteLength;
      return Response.json({ bytes: body.byteLength });
    } catch (err) {
      c.vars.readErrors++;
      throw err;
    }
  },
  actions: {
    stats: (c) => ({ ...c.state, ...c.vars, conns: [...c.conns.values()].filter((x) => !x.path.startsWith("action:")).length }),
  },
});

const registry = setup({ use: { sink } });
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  server = await listen(registry.fetch);
});
afterAll(() => server.close());

describe("failures", () => {
  it("a client that disconnects mid-body: the actor sees the failed read, the connection is cleaned up, nothing is stored", async () => {
    const handle = createClient<typeof registry>(server.url).sink.getOrCreate("mid-body");
    const id = await handle.resolve();
    expect((await handle.fetch("/", { method: "POST", body: "12345" })).status).toBe(200);
    const before = await handle.stats();

    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise<void>((r) => socket.once("connect", () => r()));
    socket.write(`POST /gateway/${id}/request/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n`);
    socket.write("x".repeat(1000));
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();

    let after = await handle.stats();
    for (let i = 0; i < 100 && (after.disconnects === before.disconnects || after.conns > 0); i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = await handle.stats();
    }
    expect(after.readErrors).toBe(before.readErrors + 1);
    expect(after.disconnects).toBe(before.disconnects + 1);
    expect(after.conns).toBe(0);
    expect(after.uploads).toBe(before.uploads);
    expect(after.bytes).toBe(before.bytes);
    // The actor and the process are fine.
    expect(await (await handle.fetch("/", { method: "POST", body: "abc" })).json()).toEqual({ bytes: 3 });
  });
});
