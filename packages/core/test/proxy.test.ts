import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Hono } from "hono";
import { actor, setup } from "../src/index.js";
import { createClient } from "../src/client/index.js";
import { listen } from "./http.js";

// An actor whose onRequest is a Hono app (any fetch-style library works inside).
const room = actor({
  state: { messages: [] as string[] },
  createVars: () => ({ app: undefined as Hono | undefined }),
  onRequest(c, request) {
    c.vars.app ??= new Hono()
      .get("/messages", (ctx) => ctx.json({ messages: c.state.messages, q: ctx.req.query("q") ?? null }))
      .post("/messages", async (ctx) => {
        c.state.messages.push(await ctx.req.text());
        const res = ctx.json({ ok: true }, 201);
        res.headers.append("set-cookie", "seen=1; Path=/");
        res.headers.append("set-cookie", "room=1; Path=/");
        return res;
      })
      .get("/stream", () => {
        let i = 0;
        return new Response(
          new ReadableStream({
            async pull(ctrl) {
              await new Promise((r) => setTimeout(r, 100));
              ctrl.enqueue(new TextEncoder().encode(`part ${i}\n`));
              if (++i === 3) ctrl.close();
            },
          }),
        );
      });
    return c.vars.app.fetch(request);
  },
});

const registry = setup({ use: { room } });
let actors: Awaited<ReturnType<typeof listen>>;
let app: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  actors = await listen(registry.fetch);
  const client = createClient<typeof registry>(actors.url);
  // "Your own server": authenticates, then forwards to the user's actor in one line.
  app = await listen(async (request) => {
    const url = new URL(request.url);
    const match = /^\/rooms\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (!match) return new Response("not found", { status: 404 });
    if (request.headers.get("authorization") !== "Bearer letmein") return new Response("no", { status: 401 });
    return client.room.getOrCreate([decodeURIComponent(match[1]!)]).fetch(match[2]! + url.search, request);
  });
});
afterAll(async () => {
  await app.close();
  await actors.close();
});

describe("proxying through a second server with the client", () => {
  const auth = { authorization: "Bearer letmein" };

  it("forwards method, headers, query and body; multiple Set-Cookie come back", async () => {
    const posted = await fetch(`${app.url}/rooms/lobby/messages`, { method: "POST", headers: auth, body: "hello" });
    expect(posted.status).toBe(201);
    expect(posted.headers.getSetCookie()).toEqual(["seen=1; Path=/", "room=1; Path=/"]);
    const list = await fetch(`${app.url}/rooms/lobby/messages?q=x%2Fy`, { headers: auth });
    expect(await list.json()).toEqual({ messages: ["hello"], q: "x/y" });
  });

  it("streams request bodies through without buffering them first", async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        await new Promise((r) => setTimeout(r, 20));
        if (sent++ === 5) ctrl.close();
        else ctrl.enqueue(new TextEncoder().encode(`c${sent}`));
      },
    });
    const res = await fetch(`${app.url}/rooms/upload/messages`, { method: "POST", headers: auth, body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(201);
    const list = (await (await fetch(`${app.url}/rooms/upload/messages`, { headers: auth })).json()) as any;
    expect(list.messages).toEqual(["c1c2c3c4c5"]);
  });

  it("streams responses back chunk by chunk", async () => {
    const t0 = performance.now();
    const res = await fetch(`${app.url}/rooms/lobby/stream`, { headers: auth });
    const reader = res.body!.getReader();
    const first = await reader.read();
    const firstAt = performance.now() - t0;
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    const lastAt = performance.now() - t0;
    expect(new TextDecoder().decode(first.value)).toBe("part 0\n");
    expect(rest).toBe("part 1\npart 2\n");
    expect(lastAt - firstAt).toBeGreaterThan(150);
  });

  it("the proxy's own auth runs before the actor is reached", async () => {
    const res = await fetch(`${app.url}/rooms/lobby/messages`);
    expect(res.status).toBe(401);
  });

  it("an in-process client reaches the same actors without HTTP", async () => {
    const local = createClient(registry);
    const res = await local.room.getOrCreate("lobby").fetch("/messages");
    expect(((await res.json()) as any).messages).toEqual(["hello"]);
  });
});
