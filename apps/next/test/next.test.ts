import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conformanceSuite } from "@troupe/conformance";
import { createClient } from "@troupe/core/client";
import type { ExampleRegistry } from "@troupe/example";
import {
  pageScenarios,
  freePort,
  launchBrowser,
  startProcess,
  tempDir,
  type LaunchedBrowser,
  type StartedProcess,
} from "@troupe/testing";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const env = { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ROOMS_TOKEN: "test-token" };
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Our custom server (server.js, with keepRawUrls) and plain `next start`, both on the one build. */
let custom: Server;
let plain: Server;
let browser: LaunchedBrowser;

interface Server {
  process: StartedProcess;
  origin: string;
  dataDir: { path: string; remove(): void };
}

/** Runs a command in its own process group; past `timeoutMs` the whole group is killed and it fails. */
function run(command: string, args: string[], timeoutMs = 240_000) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd: appDir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[test] killed after ${timeoutMs} ms`;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(" ")} failed:\n${out}`));
    });
  });
}

/**
 * `next build`, once more if the first attempt fails: on a loaded 2-core machine a build worker
 * was once seen to die and leave the build waiting forever (hence the timeout in \`run\`).
 */
async function nextBuild() {
  const args = [NEXT_BIN, "build"];
  try {
    await run(process.execPath, args);
  } catch (err) {
    console.warn(`next build failed once, retrying: ${String(err).slice(-2000)}`);
    rmSync(join(appDir, ".next"), { recursive: true, force: true });
    await run(process.execPath, args);
  }
}

const NEXT_BIN = "node_modules/next/dist/bin/next";

/** Starts the built app with its own SQLite data dir: `custom` is server.js (keepRawUrls), `plain` is `next start`. */
async function start(kind: "custom" | "plain", dataDir = tempDir(`troupe-next-${kind}-`)): Promise<Server> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // --expose-gc: the conformance suite's memory checks then measure retained heap, not garbage.
  const args = kind === "custom" ? ["server.js"] : [NEXT_BIN, "start", "--hostname", "127.0.0.1", "--port", String(port)];
  args.unshift("--expose-gc");
  const started = await startProcess(process.execPath, args, {
    cwd: appDir,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1", TROUPE_DATA_DIR: dataDir.path },
    readyUrl: `${origin}/api/actors/actors?name=counter`,
  }).catch((err) => {
    dataDir.remove();
    throw err;
  });
  return { process: started, origin, dataDir };
}

/**
 * Next's request path allocates enough that V8 grows its heap (heapTotal, not heapUsed) over the first
 * ~2,000 streaming requests, then stays flat. The conformance suite's leak check compares memory
 * before and after 1,000 aborted streams, so reach that steady state first: otherwise it measures
 * heap growth, not leaks.
 */
async function warmUp(origin: string) {
  const id = await putActor(origin, "streamer", unique("warm-up"));
  const one = async () => {
    const abort = new AbortController();
    const res = await fetch(`${origin}/api/actors/gateway/${id}/request/forever?interval=50`, { signal: abort.signal });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    await reader.closed.catch(() => {});
  };
  for (let i = 0; i < 2_000; i += 20) await Promise.all(Array.from({ length: 20 }, one));
}

beforeAll(async () => {
  await nextBuild();
  custom = await start("custom");
  await warmUp(custom.origin);
  plain = await start("plain");
  browser = await launchBrowser();
});

afterAll(async () => {
  await Promise.all([custom?.process.stop(), plain?.process.stop(), browser?.close()]);
  custom?.dataDir.remove();
  plain?.dataDir.remove();
});

conformanceSuite("next", () => `${custom.origin}/api/actors`);

async function putActor(origin: string, name: string, key: string) {
  const res = await fetch(`${origin}/api/actors/actors`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, key: [key] }),
  });
  return ((await res.json()) as { actorId: string }).actorId;
}

/** Reads the next chunk of a streamed body, or fails if none comes in `ms`. */
async function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>, ms = 5_000): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no chunk within ${ms} ms`)), ms)));
  try {
    const { value, done } = await Promise.race([reader.read(), timeout]);
    if (done) throw new Error("stream ended");
    return new TextDecoder().decode(value);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads chunks until the accumulated text contains `needle`. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, needle: string): Promise<string> {
  let text = "";
  while (!text.includes(needle)) text += await nextChunk(reader);
  return text;
}

/** The behaviour every deployment shape must have: streamed bodies both ways, aborts reaching the actor. */
function streamingChecks(host: () => string) {
  it("a request body streams into onRequest, and the client's abort reaches the actor", async () => {
    const origin = host();
    const id = await putActor(origin, "echo", unique("hang"));
    const abort = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(new TextEncoder().encode("first part, the rest never comes")),
    });
    const hanging = fetch(`${origin}/api/actors/gateway/${id}/request/hang`, {
      method: "POST",
      body,
      duplex: "half",
      signal: abort.signal,
    } as RequestInit).catch((err: Error) => err.name);
    // The actor is already handling the request (reading its body) while the body is still open.
    await expect
      .poll(async () => ((await (await fetch(`${origin}/api/actors/gateway/${id}/request/conns`)).json()) as any).conns.map((c: any) => c.path))
      .toEqual(["/hang", "/conns"]);
    abort.abort();
    expect(await hanging).toBe("AbortError");
    // The abort reached request.signal in the actor: the connection is gone.
    await expect
      .poll(async () => ((await (await fetch(`${origin}/api/actors/gateway/${id}/request/conns`)).json()) as any).conns.map((c: any) => c.path))
      .toEqual(["/conns"]);
  });

  it("chunked answers are not compressed (next.config: compress: false)", async () => {
    const origin = host();
    const id = await putActor(origin, "streamer", unique("plain-chunks"));
    const res = await fetch(`${origin}/api/actors/gateway/${id}/request/chunks?n=2&interval=10`, {
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    expect(res.headers.get("content-encoding")).toBeNull();
    expect((await res.text()).match(/chunk \d/g)).toEqual(["chunk 0", "chunk 1"]);
  });

  it("SSE streams unbuffered and uncompressed, even when the client accepts gzip", async () => {
    const origin = host();
    const id = await putActor(origin, "guestbook", unique("sse"));
    const abort = new AbortController();
    const res = await fetch(`${origin}/api/actors/gateway/${id}/request/events`, {
      headers: { "accept-encoding": "gzip, deflate, br" },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("content-encoding")).toBeNull();
    const reader = res.body!.getReader();
    expect(await nextChunk(reader)).toContain(": open");
    const message = unique("live");
    await fetch(`${origin}/api/actors/gateway/${id}/request/entries`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "stream", message }),
    });
    const frame = await readUntil(reader, message);
    expect(frame).toContain("event: entry");
    abort.abort();
  });
}

describe("next: the adapter (custom server with keepRawUrls)", () => {
  streamingChecks(() => custom.origin);

  it("keeps the raw URL: repeated slashes and the query exactly as sent", async () => {
    const id = await putActor(custom.origin, "echo", unique("raw"));
    const res = await fetch(`${custom.origin}/api/actors/gateway/${id}/request//a//b/?flag&x=%41&e=a=b&s=%20+`, { redirect: "manual" });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as any;
    expect(echo.pathname).toBe("//a//b/");
    expect(echo.search).toBe("?flag&x=%41&e=a=b&s=%20+");
  });

  it("HEAD and OPTIONS are answered by Troupe, not by Next's automatic handlers", async () => {
    // Next would answer HEAD by running GET (200 or 400); the gateway says the manager route has no HEAD.
    const head = await fetch(`${custom.origin}/api/actors/actors?name=counter&key=x`, { method: "HEAD" });
    expect(head.status).toBe(405);
    expect(head.headers.get("allow")).toBe("GET, PUT, POST");
    const options = await fetch(`${custom.origin}/api/actors/actors`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "PUT" },
    });
    expect(options.status).toBe(204);
    expect(options.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(options.headers.get("access-control-allow-methods")).toContain("PUT");
  });

  it("outside the mount prefix Next answers, not Troupe", async () => {
    for (const path of ["/api/actors", "/api/actorsx/actors", "/actors"]) {
      const res = await fetch(custom.origin + path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toContain("text/html");
    }
    // Inside the prefix, unknown routes get Troupe's JSON error.
    const inside = await fetch(`${custom.origin}/api/actors/nowhere`);
    expect(inside.status).toBe(404);
    expect(((await inside.json()) as any).error.code).toBe("route_not_found");
  });

  it("a trailing slash is not redirected", async () => {
    const res = await fetch(`${custom.origin}/api/actors/actors/?name=counter&key=${unique("slash")}`, { redirect: "manual" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe("actor_not_found");
  });
});

describe("next: plain `next start`", () => {
  streamingChecks(() => plain.origin);

  it("serves the gateway and the client", async () => {
    const client = createClient<ExampleRegistry>(`${plain.origin}/api/actors`);
    const counter = client.counter.getOrCreate(unique("plain"));
    expect(await counter.increment(2)).toBe(2);
    expect(await (await counter.fetch("/count")).json()).toEqual({ count: 2 });
  });

  it("documented limits: Next redirects `//` paths and re-serializes queries before user code runs", async () => {
    const id = await putActor(plain.origin, "echo", unique("limits"));
    const slashes = await fetch(`${plain.origin}/api/actors/gateway/${id}/request/a//b`, { redirect: "manual" });
    expect(slashes.status).toBe(308);
    expect(slashes.headers.get("location")).toBe(`/api/actors/gateway/${id}/request/a/b`);
    const query = (await (await fetch(`${plain.origin}/api/actors/gateway/${id}/request/q?flag&x=%41`)).json()) as any;
    expect(query.search).toBe("?flag=&x=A");
  });
});

describe("next: proxy.ts answers requests without a body, the catch-all route those with one", () => {
  for (const kind of ["custom", "plain"] as const) {
    const origin = () => (kind === "custom" ? custom : plain).origin;

    it(`${kind}: an actor's answer cannot give Next's router orders, in the proxy or the route (x-middleware-* headers are removed)`, async () => {
      const id = await putActor(origin(), "echo", unique("orders"));
      for (const [method, body] of [["GET"], ["DELETE"], ["POST", "via the route"]]) {
        const res = await fetch(`${origin()}/api/actors/gateway/${id}/request/router-orders`, { method, body });
        // Left in, Next would rewrite the proxy's request elsewhere, and answer 500 for the route's.
        expect(res.status, method).toBe(200);
        expect(await res.text(), method).toBe("own");
        expect([...res.headers.keys()].filter((name) => name.startsWith("x-middleware-")), method).toEqual([]);
        // Next marks its route handlers' answers with `vary: rsc, ...`; the proxy's carry none.
        expect(res.headers.get("vary") === null, method).toBe(body === undefined);
      }
    });

    it(`${kind}: a body with content-length over Next's 10 MB proxy buffer arrives whole (it skips the proxy)`, async () => {
      const id = await putActor(origin(), "streamer", unique("sized-upload"));
      const body = new Uint8Array(11 * 1024 * 1024).map((_, i) => i % 251);
      const res = await fetch(`${origin()}/api/actors/gateway/${id}/request/upload`, { method: "POST", body });
      expect(res.status).toBe(200);
      const result = (await res.json()) as { bytes: number; sha256: string };
      expect(result.bytes).toBe(body.byteLength);
      expect(result.sha256).toBe(createHash("sha256").update(body).digest("hex"));
    });
  }

  it("the route-handler form alone (app/api/actors-route, no proxy.ts in front) serves the same registry", async () => {
    const base = `${custom.origin}/api/actors-route`;
    const created = await fetch(`${base}/actors`, { method: "PUT", body: JSON.stringify({ name: "counter", key: [unique("route-form")] }) });
    const { actorId } = (await created.json()) as { actorId: string };
    for (let i = 0; i < 2; i++) expect((await fetch(`${base}/gateway/${actorId}/request/increment`, { method: "POST" })).status).toBe(200);
    const count = await fetch(`${base}/gateway/${actorId}/request/count`);
    expect(count.headers.get("vary")).not.toBeNull(); // Next's route answered, not the proxy
    expect(await count.json()).toEqual({ count: 2 });
    // The same actor through the main mount.
    expect(await (await fetch(`${custom.origin}/api/actors/gateway/${actorId}/request/count`)).json()).toEqual({ count: 2 });
  });
});

describe("next: the rooms proxy route (auth, then one line to the actor)", () => {
  const auth = { authorization: "Bearer test-token" };
  const rooms = (path: string) => `${custom.origin}/api/rooms/${path}`;

  it("401 unauthorized without or with wrong credentials; the actor is never created", async () => {
    const room = unique("locked");
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: "Basic dGVzdC10b2tlbg==" }]) {
      const res = await fetch(rooms(`${room}/entries`), { method: "POST", headers, body: "{}" });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(((await res.json()) as any).error.code).toBe("unauthorized");
    }
    const q = new URLSearchParams({ name: "guestbook", key: room });
    expect((await fetch(`${custom.origin}/api/actors/actors?${q}`)).status).toBe(404);
  });

  it("forwards method, body, path and query to the room's guestbook", async () => {
    const room = unique("room");
    const posted = await fetch(rooms(`${room}/entries`), {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "Grace", message: "first" }),
    });
    expect(posted.status).toBe(201);
    await fetch(rooms(`${room}/entries`), { method: "POST", headers: auth, body: JSON.stringify({ message: "second" }) });
    // The same actor, reached through the public gateway with the room as its key.
    const direct = createClient<ExampleRegistry>(`${custom.origin}/api/actors`).guestbook.getOrCreate([room]);
    expect(((await (await direct.fetch("/entries")).json()) as any).entries.map((e: any) => e.message)).toEqual(["first", "second"]);
    // The method and path reach the actor's own router.
    const wrong = await fetch(rooms(`${room}/entries`), { method: "DELETE", headers: auth });
    expect(wrong.status).toBe(404);
    expect(((await wrong.json()) as any).error.message).toBe("No route DELETE /entries");
    // The query reaches it too, and the SSE answer streams through the proxy.
    const abort = new AbortController();
    const events = await fetch(rooms(`${room}/events?after=1`), { headers: auth, signal: abort.signal });
    expect(events.headers.get("content-type")).toContain("text/event-stream");
    const reader = events.body!.getReader();
    const replay = await readUntil(reader, "second");
    expect(replay).not.toContain("first");
    await fetch(rooms(`${room}/entries`), { method: "POST", headers: auth, body: JSON.stringify({ message: "third" }) });
    expect(await readUntil(reader, "third")).toContain("event: entry");
    abort.abort();
  });
});

describe("next: per-user actors behind a session (one user cannot reach another's)", () => {
  const login = async (user: string) => {
    const res = await fetch(`${custom.origin}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user }),
    });
    expect(res.status).toBe(200);
    return res.headers.getSetCookie()[0]!.split(";")[0]!;
  };
  const me = (cookie: string | undefined, path: string, init: RequestInit = {}) =>
    fetch(`${custom.origin}/api/me${path}`, { ...init, headers: { ...(cookie ? { cookie } : {}), ...(init.headers as object) } });

  it("no session -> 401; a forged session -> 401", async () => {
    const none = await me(undefined, "/entries");
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error.code).toBe("unauthorized");
    const forged = await me("troupe_session=alice.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/entries");
    expect(forged.status).toBe(401);
  });

  it("each user reaches only their own actor", async () => {
    const alice = await login(`alice${Date.now() % 100000}`);
    const bob = await login(`bob${Date.now() % 100000}`);
    const note = `for alice only ${Math.random()}`;
    const posted = await me(alice, "/entries", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "alice", message: note }),
    });
    expect(posted.status).toBe(201);
    const mine = (await (await me(alice, "/entries")).json()) as any;
    expect(mine.entries.map((e: any) => e.message)).toContain(note);
    const theirs = (await (await me(bob, "/entries")).json()) as any;
    expect(theirs.entries.map((e: any) => e.message)).not.toContain(note);
  });

  it("the public gateway refuses per-user keys, so ids cannot be looked up or created there", async () => {
    const put = await fetch(`${custom.origin}/api/actors/actors`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "guestbook", key: ["user", "alice"] }),
    });
    expect(put.status).toBe(403);
    expect(((await put.json()) as any).error.code).toBe("forbidden");
    const lookup = await fetch(`${custom.origin}/api/actors/actors?name=guestbook&key=user&key=alice`);
    expect(lookup.status).toBe(403);
  });
});

pageScenarios("next", () => ({ browser, origin: custom.origin }));

describe("next: in the browser", () => {
  const page = () => `${custom.origin}/?key=${unique("browser")}`;

  it("the page renders on the server (no browser-only code during SSR)", async () => {
    const res = await fetch(page());
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-testid="app"');
    expect(html).toContain('data-ready="false"');
    expect(html).toContain('data-testid="counter-increment-server"');
    expect(custom.process.output()).not.toContain("⨯"); // how Next logs a render error
  });

  it("a Server Action increments the same counter in-process", async () => {
    const tab = await browser.newPage();
    await tab.goto(page());
    await tab.waitForSelector('[data-testid=app][data-ready="true"]');
    const count = () => tab.textContent("[data-testid=counter-value]").then((t) => Number(t?.trim()));
    expect(await count()).toBe(0);
    await tab.click("[data-testid=counter-increment-server]");
    await expect.poll(count).toBe(1);
    await tab.click("[data-testid=counter-increment]");
    await expect.poll(count).toBe(2);
    await tab.close();
  });
});

describe("next: the SQLite store", () => {
  it("state survives a restart: SIGTERM commits, closes the store and frees the data dir", async () => {
    const key = unique("durable");
    const before = createClient<ExampleRegistry>(`${custom.origin}/api/actors`);
    expect(await before.counter.getOrCreate(key).increment(5)).toBe(5);
    const old = custom;
    await old.process.stop();
    expect(await old.process.exited).toBe(0);
    custom = await start("custom", old.dataDir);
    const after = createClient<ExampleRegistry>(`${custom.origin}/api/actors`);
    expect(await after.counter.get(key).get()).toBe(5);
  });
});

describe("next: `next dev`, what most users run first", () => {
  let dev: StartedProcess | undefined;
  let origin = "";
  const dataDir = tempDir("troupe-next-dev-");

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    dev = await startProcess(process.execPath, [NEXT_BIN, "dev", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: appDir,
      env: { NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1", TROUPE_DATA_DIR: dataDir.path },
      readyPattern: /Ready in/,
      timeout: 120_000,
    });
  });
  afterAll(async () => {
    await dev?.stop();
    dataDir.remove();
  });

  it("proxy.ts and the route share one registry and one database, whichever runs first", async () => {
    // `next dev` also evaluates route modules in helper processes: the store opens on the first
    // request in the server only (useStore with a function), so none of them takes the lock.
    const lookup = await fetch(`${origin}/api/actors/actors?name=counter`); // answered in proxy.ts
    expect(lookup.status).toBe(404);
    const id = await putActor(origin, "counter", unique("dev")); // a body: the catch-all route
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect((await fetch(`${origin}/api/actors/gateway/${id}/request/increment`, { method: "POST", body: "x" })).status).toBe(200);
    expect(await (await fetch(`${origin}/api/actors/gateway/${id}/request/count`)).json()).toEqual({ count: 1 });
    expect(dev!.output()).not.toContain("DataDirLockedError");
  }, 180_000);
});
