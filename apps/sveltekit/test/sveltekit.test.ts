/**
 * The SvelteKit sample app, built with `vite build` (adapter-node) and run as `node build`:
 * the shared conformance suite through both adapter forms (the `handle` hook at `/api/actors`,
 * the catch-all `+server.ts` at `/api/actors-endpoint`), the browser scenarios, and what is
 * specific to SvelteKit (mount boundaries, CSRF, body size limit, streaming, shutdown).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conformanceSuite } from "@troupe/conformance";
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
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const MOUNTS = { hook: "/api/actors", endpoint: "/api/actors-endpoint" } as const;

let origin = "";
let server: StartedProcess | undefined;
let browser: LaunchedBrowser | undefined;
const data = tempDir("troupe-sveltekit-data-");

/** `node build` the way a deployment runs it (plus --expose-gc for the memory checks). */
async function startServer(port: number) {
  origin = `http://127.0.0.1:${port}`;
  server = await startProcess(process.execPath, ["--expose-gc", "build"], {
    cwd: appDir,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      ORIGIN: origin,
      // adapter-node caps request bodies at 512K by default; let each actor's own limit decide.
      BODY_SIZE_LIMIT: "Infinity",
      TROUPE_DATA_DIR: data.path,
      // On SIGTERM adapter-node waits this long (default 30 s) for open streams before closing them.
      SHUTDOWN_TIMEOUT: "5",
    },
    readyUrl: `${origin}/api/actors/actors?name=counter&key=ready`,
  });
}

beforeAll(async () => {
  await promisify(execFile)("pnpm", ["exec", "vite", "build"], { cwd: appDir, maxBuffer: 64 << 20 });
  await startServer(await freePort());
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  data.remove();
});

conformanceSuite("sveltekit hook", () => origin + MOUNTS.hook);
conformanceSuite("sveltekit +server.ts", () => origin + MOUNTS.endpoint);

pageScenarios("sveltekit", () => ({ browser, origin }));

describe("sveltekit: the page", () => {
  it("the page is server-rendered with the actors' state before hydration", async () => {
    const key = unique("ssr");
    const put = await fetch(`${origin}/api/actors/gateway/${await actorId("counter", key)}/action/increment`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ args: [41] }),
    });
    expect(await put.json()).toEqual({ output: 41 });
    const html = await (await fetch(`${origin}/?key=${encodeURIComponent(key)}`)).text();
    expect(html).toMatch(/data-testid="counter-value"[^>]*>41</);
    expect(html).toContain('data-ready="false"');
  });
});

async function actorId(name: string, key: string, mount: string = MOUNTS.hook): Promise<string> {
  const res = await fetch(origin + mount + "/actors", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, key: [key] }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { actorId: string }).actorId;
}

async function counterValue(key: string): Promise<number> {
  const res = await fetch(`${origin}/api/actors/gateway/${await actorId("counter", key)}/action/get`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  return ((await res.json()) as { output: number }).output;
}

describe("sveltekit: mount boundaries", () => {
  for (const [form, mount] of Object.entries(MOUNTS)) {
    it(`${form}: the mount path itself is Troupe's (JSON 404), not SvelteKit's`, async () => {
      for (const path of [mount, mount + "/", mount + "/nowhere"]) {
        const res = await fetch(origin + path);
        expect(res.status, path).toBe(404);
        expect(res.headers.get("content-type"), path).toContain("application/json");
        expect(((await res.json()) as any).error.code, path).toBe("route_not_found");
      }
    });

    it(`${form}: both mounts reach the same registry (one per process)`, async () => {
      const key = unique("shared");
      const viaHook = await actorId("counter", key, MOUNTS.hook);
      expect(await actorId("counter", key, mount)).toBe(viaHook);
    });

    it(`${form}: OPTIONS preflight on the manager route gets CORS headers`, async () => {
      const res = await fetch(origin + mount + "/actors", {
        method: "OPTIONS",
        headers: { origin: "https://app.example", "access-control-request-method": "PUT", "access-control-request-headers": "content-type" },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(res.headers.get("access-control-allow-methods")).toContain("PUT");
      expect(res.headers.get("access-control-allow-headers")).toContain("content-type");
    });

    it(`${form}: methods SvelteKit has no named export for reach the actor (fallback)`, async () => {
      const id = await actorId("echo", unique("method"), mount);
      const res = await fetch(`${origin}${mount}/gateway/${id}/request/m`, { method: "PROPFIND" });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).method).toBe("PROPFIND");
    });

    it(`${form}: request bodies over adapter-node's default 512K limit stream through (BODY_SIZE_LIMIT=Infinity)`, async () => {
      const id = await actorId("echo", unique("big"), mount);
      const bytes = new Uint8Array(3 * 1024 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 17) & 0xff;
      const res = await fetch(`${origin}${mount}/gateway/${id}/request/binary`, { method: "POST", body: bytes });
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    });

    it(`${form}: an SSE response streams: headers and the first event before the stream ends, live events later`, async () => {
      const key = unique("sse");
      const id = await actorId("guestbook", key, mount);
      const post = (message: string) =>
        fetch(`${origin}${mount}/gateway/${id}/request/entries`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "t", message }),
        });
      expect((await post("before")).status).toBe(201);
      const abort = new AbortController();
      const res = await fetch(`${origin}${mount}/gateway/${id}/request/events`, { signal: abort.signal });
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      expect(res.headers.get("content-length")).toBeNull();
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const readUntil = async (needle: string) => {
        let text = "";
        while (!text.includes(needle)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended before ${needle}: ${text}`);
          text += value;
        }
        return text;
      };
      expect(await readUntil('"before"')).toContain("event: entry");
      expect((await post("after")).status).toBe(201);
      expect(await readUntil('"after"')).toContain("event: entry");
      abort.abort();
    });
  }

  it("paths that only share the prefix belong to SvelteKit", async () => {
    for (const path of ["/api/actorsx", "/api/actors-other/actors", "/api"]) {
      const res = await fetch(origin + path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toContain("text/html");
    }
  });

  it("the +server.ts form keeps a trailing slash (trailingSlash = 'ignore')", async () => {
    const id = await actorId("echo", unique("slash"), MOUNTS.endpoint);
    const res = await fetch(`${origin}${MOUNTS.endpoint}/gateway/${id}/request/dir/`, { redirect: "manual" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).pathname).toBe("/dir/");
  });
});

describe("sveltekit: CSRF", () => {
  const formPost = (key: string, headers: Record<string, string>) =>
    fetch(`${origin}/?key=${encodeURIComponent(key)}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...headers },
      body: "by=10",
      redirect: "manual",
    });

  it("a same-origin form action runs (the page's +10 form calls the actor in-process)", async () => {
    const key = unique("form");
    const res = await formPost(key, { origin });
    expect(res.status).toBe(200);
    expect(await counterValue(key)).toBe(10);
  });

  it("cross-site form posts to the app's pages are still refused (formOriginCheck)", async () => {
    const key = unique("csrf");
    const foreign = await formPost(key, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as any).message).toBe("Cross-site POST form submissions are forbidden");
    const noOrigin = await formPost(key, {});
    expect(noOrigin.status).toBe(403);
    const plain = await fetch(`${origin}/?key=${key}`, { method: "POST", headers: { "content-type": "text/plain", origin: "https://evil.example" }, body: "by=10" });
    expect(plain.status).toBe(403);
    expect(await plain.text()).toBe("Cross-site POST form submissions are forbidden");
    expect(await counterValue(key)).toBe(0);
  });

  for (const [form, mount] of Object.entries(MOUNTS)) {
    it(`${form}: text/plain and body-less POSTs reach actors from any origin or none`, async () => {
      const id = await actorId("echo", unique("csrf-api"), mount);
      const cases: Array<Record<string, string>> = [
        { "content-type": "text/plain" },
        { "content-type": "text/plain", origin: "https://other.example" },
        {},
      ];
      for (const headers of cases) {
        const res = await fetch(`${origin}${mount}/gateway/${id}/request/form`, { method: "POST", headers, body: "x=1" });
        expect(res.status, JSON.stringify(headers)).toBe(200);
        expect(atob(((await res.json()) as any).bodyBase64)).toBe("x=1");
      }
      const counter = await fetch(`${origin}${mount}/gateway/${await actorId("counter", unique("empty"), mount)}/request/increment`, { method: "POST" });
      expect(await counter.json()).toEqual({ count: 1 });
    });
  }
});

describe("sveltekit: shutdown", () => {
  it("SIGTERM: the process exits cleanly and actor state is back after a restart (SQLite)", async () => {
    const key = unique("durable");
    const id = await actorId("counter", key);
    await fetch(`${origin}/api/actors/gateway/${id}/action/increment`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ args: [7] }),
    });
    await browser?.close();
    browser = undefined;
    await server!.stop(10_000);
    expect(await server!.exited).toBe(0);
    await startServer(await freePort());
    expect(await counterValue(key)).toBe(7);
    expect(await actorId("counter", key)).toBe(id);
  });
});
