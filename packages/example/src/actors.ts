import { actor, Forbidden, sse, UserError, type EventStream } from "@troupe/core";
import { Hono } from "hono";

/** A counter: one action and a tiny raw HTTP API. */
export const counter = actor({
  state: { count: 0 },
  actions: {
    increment(c, by: number = 1) {
      if (typeof by !== "number" || !Number.isFinite(by)) throw new UserError("`by` must be a finite number", { code: "invalid_amount" });
      c.state.count += by;
      return c.state.count;
    },
    get(c) {
      return c.state.count;
    },
  },
  onRequest(c, request) {
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname === "/increment") {
      c.state.count += 1;
      return Response.json({ count: c.state.count });
    }
    if (request.method === "GET" && pathname === "/count") return Response.json({ count: c.state.count });
    return Response.json({ error: { code: "not_found", message: `No route ${request.method} ${pathname}` } }, { status: 404 });
  },
});

export interface GuestbookEntry {
  id: number;
  name: string;
  message: string;
  at: number;
}

/**
 * A guestbook whose raw HTTP API is a Hono app running inside `onRequest`.
 * `GET /entries`, `POST /entries {name, message}`, and `GET /events`: Server-Sent Events
 * (`event: entry`, `id: <entry id>`), replaying entries after `Last-Event-ID` on reconnect.
 */
export const guestbook = actor({
  state: { entries: [] as GuestbookEntry[], nextId: 1 },
  createVars: () => ({ app: undefined as Hono | undefined, listeners: new Set<EventStream>() }),
  onRequest(c, request) {
    c.vars.app ??= buildGuestbookApp(c);
    return c.vars.app.fetch(request);
  },
  actions: {
    list: (c) => c.state.entries,
  },
});

interface GuestbookCtx {
  state: { entries: GuestbookEntry[]; nextId: number };
  vars: { listeners: Set<EventStream> };
}

function buildGuestbookApp(c: GuestbookCtx) {
  const app = new Hono();
  app.get("/entries", (ctx) => ctx.json({ entries: c.state.entries }));
  app.post("/entries", async (ctx) => {
    let body: unknown;
    try {
      body = await ctx.req.json();
    } catch {
      return ctx.json({ error: { code: "malformed_body", message: "Body must be JSON" } }, 400);
    }
    const { name, message } = (body ?? {}) as Record<string, unknown>;
    if (typeof message !== "string" || message.trim() === "" || message.length > 2000) {
      return ctx.json({ error: { code: "invalid_message", message: "`message` must be 1-2000 characters" } }, 400);
    }
    const entry: GuestbookEntry = {
      id: c.state.nextId++,
      name: typeof name === "string" && name.trim() ? name.slice(0, 100) : "anonymous",
      message,
      at: Date.now(),
    };
    c.state.entries.push(entry);
    for (const listener of c.vars.listeners) listener.send({ event: "entry", id: entry.id, data: entry });
    return ctx.json({ entry }, 201);
  });
  app.get("/events", (ctx) =>
    sse(ctx.req.raw, (stream) => {
      const after = Number(stream.lastEventId ?? ctx.req.query("after") ?? 0) || 0;
      for (const entry of c.state.entries) {
        if (entry.id > after) stream.send({ event: "entry", id: entry.id, data: entry });
      }
      c.vars.listeners.add(stream);
      stream.signal.addEventListener("abort", () => c.vars.listeners.delete(stream));
    }),
  );
  app.notFound((ctx) => ctx.json({ error: { code: "not_found", message: `No route ${ctx.req.method} ${ctx.req.path}` } }, 404));
  return app;
}

/**
 * Mirrors what it receives, for the conformance suite: method, raw path, query, headers,
 * body bytes (as base64); sets two cookies; `/binary` echoes the body as octets; `/router-orders`
 * answers with `x-middleware-*` headers (see @troupe/next's proxy).
 */
export const echo = actor({
  state: { hits: 0 },
  options: { handleOptions: false },
  async onRequest(c, request) {
    c.state.hits++;
    const url = new URL(request.url);
    if (url.pathname === "/binary") {
      const bytes = new Uint8Array(await request.arrayBuffer());
      return new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
    }
    if (url.pathname === "/throw") throw new Error("secret internal detail");
    if (url.pathname === "/not-a-response") return "just a string" as unknown as Response;
    if (url.pathname === "/empty") return new Response(null, { status: 204 });
    if (url.pathname === "/router-orders") {
      // Headers that Next's proxy would read as routing orders (rewrite elsewhere, pass on).
      return new Response("own", { headers: { "x-middleware-rewrite": "http://127.0.0.1:9/elsewhere", "x-middleware-next": "1" } });
    }
    if (url.pathname === "/cors-own") {
      return new Response("own", { headers: { "access-control-allow-origin": "https://actor.example" } });
    }
    const body = new Uint8Array(await request.arrayBuffer());
    const headers = new Headers({ "content-type": "application/json" });
    headers.append("set-cookie", "a=1; Path=/");
    headers.append("set-cookie", "b=2; Path=/; HttpOnly");
    return new Response(
      JSON.stringify({
        method: request.method,
        url: request.url,
        pathname: url.pathname,
        search: url.search,
        headers: Object.fromEntries(request.headers),
        bodyBase64: toBase64(body),
        bodyLength: body.byteLength,
        conns: [...c.conns.values()].map((conn) => ({ id: conn.id, method: conn.method, path: conn.path })),
        hits: c.state.hits,
      }),
      { headers },
    );
  },
});

/** Rejects connections unless params carry the right token: shows `onBeforeConnect`. */
export const vault = actor({
  state: { secret: "42" },
  onBeforeConnect(_c, { params }: { request: Request; params: { token?: string } | undefined }) {
    if (!params?.token) throw new Forbidden("A token is required");
  },
  actions: {
    reveal: (c) => c.state.secret,
  },
  onRequest: (c) => Response.json({ secret: c.state.secret }),
});

/** Actions only, no `onRequest`: raw requests get 404 `request_handler_not_defined`. */
export const ledger = actor({
  // Annotating `_c` lets TypeScript infer the state type before it types the actions.
  createState: (_c: unknown, input: { opening?: number } | undefined) => ({ balance: input?.opening ?? 0 }),
  actions: {
    deposit(c, amount: number) {
      c.state.balance += amount;
      return c.state.balance;
    },
    balance: (c) => c.state.balance,
  },
});

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return btoa(s);
}
