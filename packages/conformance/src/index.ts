/**
 * The shared HTTP conformance suite. Every host mounts the example registry
 * (`@troupe/example`) and calls `conformanceSuite("host", () => baseUrl)` where `baseUrl`
 * includes the mount prefix, e.g. `http://127.0.0.1:4123/api/actors`.
 */
import { describe, expect, it } from "vitest";
import { createClient } from "@troupe/core/client";
import type { ExampleRegistry } from "@troupe/example";
import { streamingSuite } from "./streaming.js";

export { streamingSuite };

type BaseUrl = () => string;

const json = (body: unknown) => ({
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

const unique = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

async function errorOf(res: Response) {
  expect(res.headers.get("content-type") ?? "").toContain("application/json");
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(typeof body.error.code).toBe("string");
  expect(typeof body.error.message).toBe("string");
  return body.error;
}

export function conformanceSuite(host: string, baseUrl: BaseUrl) {
  const url = (path: string) => baseUrl() + path;
  const put = (body: unknown) => fetch(url("/actors"), { method: "PUT", ...json(body) });

  async function echoActor() {
    const res = await put({ name: "echo", key: [unique("echo")] });
    expect(res.status).toBe(200);
    return ((await res.json()) as { actorId: string }).actorId;
  }

  describe(`${host}: manager routes`, () => {
    it("PUT /actors gets or creates", async () => {
      const key = [unique("c")];
      const first = await put({ name: "counter", key });
      expect(first.status).toBe(200);
      const a = (await first.json()) as any;
      expect(a).toMatchObject({ name: "counter", key, created: true });
      expect(a.actorId).toMatch(/^[0-9a-f]{32}$/);
      const again = (await (await put({ name: "counter", key })).json()) as any;
      expect(again).toMatchObject({ actorId: a.actorId, created: false });
    });

    it("POST /actors creates once, then 409 actor_already_exists", async () => {
      const key = [unique("p")];
      const res = await fetch(url("/actors"), { method: "POST", ...json({ name: "counter", key }) });
      expect(res.status).toBe(201);
      expect(((await res.json()) as any).created).toBe(true);
      const dup = await fetch(url("/actors"), { method: "POST", ...json({ name: "counter", key }) });
      expect(dup.status).toBe(409);
      expect((await errorOf(dup)).code).toBe("actor_already_exists");
    });

    it("GET /actors?name&key finds by multi-part key, 404 when missing", async () => {
      const key = [unique("k"), "second part"];
      const { actorId } = (await (await put({ name: "counter", key })).json()) as any;
      const q = new URLSearchParams({ name: "counter" });
      key.forEach((k) => q.append("key", k));
      const found = await fetch(url(`/actors?${q}`));
      expect(found.status).toBe(200);
      expect(await found.json()).toEqual({ actorId, name: "counter", key });
      const missing = await fetch(url(`/actors?name=counter&key=${unique("none")}`));
      expect(missing.status).toBe(404);
      expect((await errorOf(missing)).code).toBe("actor_not_found");
    });

    it("GET /actors/{id} describes an actor, 404 for an unknown id", async () => {
      const key = [unique("id")];
      const { actorId } = (await (await put({ name: "counter", key })).json()) as any;
      const res = await fetch(url(`/actors/${actorId}`));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ actorId, name: "counter", key });
      const unknown = await fetch(url(`/actors/${"0".repeat(32)}`));
      expect(unknown.status).toBe(404);
      expect((await errorOf(unknown)).code).toBe("actor_not_found");
    });

    it("keys with any character round-trip exactly", async () => {
      const keys = [
        ["a,b", "c/d", "%41%2F", "ünï©ødé 🎭", "", "  spaced  ", "+plus+", "?q=1&x#frag", "\\back", '"quoted"'],
        [""],
        [],
      ];
      for (const key of keys) {
        const created = (await (await put({ name: "counter", key })).json()) as any;
        expect(created.key).toEqual(key);
        const q = new URLSearchParams({ name: "counter" });
        key.forEach((k) => q.append("key", k));
        const found = (await (await fetch(url(`/actors?${q}`))).json()) as any;
        expect(found.actorId).toBe(created.actorId);
        expect(found.key).toEqual(key);
      }
      // Distinct keys never collide: ["a,b"] vs ["a","b"].
      const one = (await (await put({ name: "counter", key: ["x,y"] })).json()) as any;
      const two = (await (await put({ name: "counter", key: ["x", "y"] })).json()) as any;
      expect(one.actorId).not.toBe(two.actorId);
    });

    it("unknown actor name -> 404 actor_name_not_found", async () => {
      const res = await put({ name: "no-such-actor", key: ["x"] });
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe("actor_name_not_found");
    });

    it("malformed bodies -> 400", async () => {
      const bad = await fetch(url("/actors"), { method: "PUT", headers: { "content-type": "application/json" }, body: "{nope" });
      expect(bad.status).toBe(400);
      expect((await errorOf(bad)).code).toBe("malformed_body");
      const badKey = await put({ name: "counter", key: [1, 2] });
      expect(badKey.status).toBe(400);
      expect((await errorOf(badKey)).code).toBe("malformed_body");
      const noName = await fetch(url("/actors"));
      expect(noName.status).toBe(400);
      expect((await errorOf(noName)).code).toBe("invalid_request");
    });

    it("wrong method -> 405 with Allow", async () => {
      const res = await fetch(url("/actors"), { method: "DELETE" });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toContain("PUT");
      expect((await errorOf(res)).code).toBe("method_not_allowed");
      const id = await echoActor();
      const action = await fetch(url(`/gateway/${id}/action/increment`), { method: "GET" });
      expect(action.status).toBe(405);
      expect((await errorOf(action)).code).toBe("method_not_allowed");
    });

    it("unknown route -> 404 route_not_found", async () => {
      const res = await fetch(url("/nowhere"));
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe("route_not_found");
    });
  });

  describe(`${host}: raw requests reach onRequest`, () => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      it(`${method} keeps method, raw path, query and headers`, async () => {
        const id = await echoActor();
        const res = await fetch(url(`/gateway/${id}/request/a%20b/c%2Fd/%E2%9C%93/x.y?q=1&r=%2F&s=a+b`), {
          method,
          headers: { "x-custom": "yes", "x-troupe-conn-params": '{"who":"me"}' },
          body: method === "GET" || method === "DELETE" ? undefined : "hello",
        });
        expect(res.status).toBe(200);
        const echo = (await res.json()) as any;
        expect(echo.method).toBe(method);
        expect(echo.pathname).toBe("/a%20b/c%2Fd/%E2%9C%93/x.y");
        expect(echo.search).toBe("?q=1&r=%2F&s=a+b");
        expect(echo.headers["x-custom"]).toBe("yes");
        // Internal control headers never reach the actor.
        expect(Object.keys(echo.headers).filter((h) => h.startsWith("x-troupe-"))).toEqual([]);
        if (method !== "GET" && method !== "DELETE") expect(atob(echo.bodyBase64)).toBe("hello");
      });
    }

    it("path after /request/ is kept exactly (empty, trailing and double slashes)", async () => {
      const id = await echoActor();
      const cases: Array<[string, string]> = [
        ["", "/"],
        ["/", "/"],
        ["/a/", "/a/"],
        ["/a//b", "/a//b"],
        ["//lead", "//lead"],
      ];
      for (const [suffix, expected] of cases) {
        const echo = (await (await fetch(url(`/gateway/${id}/request${suffix}`))).json()) as any;
        expect(echo.pathname, `suffix ${JSON.stringify(suffix)}`).toBe(expected);
      }
    });

    it("binary bodies are byte-exact both ways", async () => {
      const id = await echoActor();
      const bytes = new Uint8Array(70_000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
      const res = await fetch(url(`/gateway/${id}/request/binary`), { method: "POST", body: bytes });
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    });

    it("empty bodies: empty POST and a 204 answer", async () => {
      const id = await echoActor();
      const echo = (await (await fetch(url(`/gateway/${id}/request/empty-post`), { method: "POST", body: "" })).json()) as any;
      expect(echo.bodyLength).toBe(0);
      const none = await fetch(url(`/gateway/${id}/request/empty`));
      expect(none.status).toBe(204);
      expect(await none.text()).toBe("");
    });

    it("multiple Set-Cookie headers survive", async () => {
      const id = await echoActor();
      const res = await fetch(url(`/gateway/${id}/request/cookies`));
      expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/; HttpOnly"]);
    });

    it("HEAD reaches the actor and returns no body", async () => {
      const id = await echoActor();
      const res = await fetch(url(`/gateway/${id}/request/head`), { method: "HEAD" });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("");
    });

    it("OPTIONS preflight is answered by Troupe with CORS headers", async () => {
      const id = await echoActor();
      const res = await fetch(url(`/gateway/${id}/request/anything`), {
        method: "OPTIONS",
        headers: {
          origin: "https://app.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type, x-troupe-conn-params",
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(res.headers.get("access-control-allow-methods")).toContain("POST");
      expect(res.headers.get("access-control-allow-headers")).toContain("x-troupe-conn-params");
      const after = (await (await fetch(url(`/gateway/${id}/request/count`))).json()) as any;
      expect(after.hits).toBe(1); // the preflight never reached onRequest
    });

    it("cross-origin answers carry CORS headers, but the actor's own are never overwritten", async () => {
      const id = await echoActor();
      const plain = await fetch(url(`/gateway/${id}/request/x`), { headers: { origin: "https://app.example" } });
      expect(plain.headers.get("access-control-allow-origin")).toBe("https://app.example");
      const own = await fetch(url(`/gateway/${id}/request/cors-own`), { headers: { origin: "https://app.example" } });
      expect(own.headers.get("access-control-allow-origin")).toBe("https://actor.example");
    });

    it("c.conns lists the request while in flight and is empty afterwards", async () => {
      const id = await echoActor();
      const during = (await (await fetch(url(`/gateway/${id}/request/conns`), { method: "POST", body: "x" })).json()) as any;
      expect(during.conns).toHaveLength(1);
      expect(during.conns[0]).toMatchObject({ method: "POST", path: "/conns" });
      const next = (await (await fetch(url(`/gateway/${id}/request/conns2`))).json()) as any;
      expect(next.conns).toHaveLength(1);
      expect(next.conns[0].path).toBe("/conns2");
    });
  });

  describe(`${host}: actions and errors`, () => {
    it("POST /gateway/{id}/action/{name} returns {output}", async () => {
      const { actorId } = (await (await put({ name: "counter", key: [unique("a")] })).json()) as any;
      const res = await fetch(url(`/gateway/${actorId}/action/increment`), { method: "POST", ...json({ args: [5] }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ output: 5 });
      const again = await fetch(url(`/gateway/${actorId}/action/increment`), { method: "POST", ...json({ args: [2] }) });
      expect(await again.json()).toEqual({ output: 7 });
    });

    it("a user error from an action -> 400 with its code; unknown action -> 404", async () => {
      const { actorId } = (await (await put({ name: "counter", key: [unique("u")] })).json()) as any;
      const bad = await fetch(url(`/gateway/${actorId}/action/increment`), { method: "POST", ...json({ args: ["x"] }) });
      expect(bad.status).toBe(400);
      expect((await errorOf(bad)).code).toBe("invalid_amount");
      const none = await fetch(url(`/gateway/${actorId}/action/nope`), { method: "POST", ...json({ args: [] }) });
      expect(none.status).toBe(404);
      expect((await errorOf(none)).code).toBe("action_not_found");
      const args = await fetch(url(`/gateway/${actorId}/action/increment`), { method: "POST", ...json({ args: 3 }) });
      expect(args.status).toBe(400);
    });

    it("unknown actor id on the gateway -> 404 actor_not_found", async () => {
      const res = await fetch(url(`/gateway/${"f".repeat(32)}/request/x`));
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe("actor_not_found");
    });

    it("an actor without onRequest -> 404 request_handler_not_defined", async () => {
      const { actorId } = (await (await put({ name: "ledger", key: [unique("l")] })).json()) as any;
      const res = await fetch(url(`/gateway/${actorId}/request/`));
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe("request_handler_not_defined");
    });

    it("a throwing handler -> 500 internal_error with the message masked; the actor keeps working", async () => {
      const id = await echoActor();
      const res = await fetch(url(`/gateway/${id}/request/throw`));
      expect(res.status).toBe(500);
      const err = await errorOf(res);
      expect(err.code).toBe("internal_error");
      expect(err.message).not.toContain("secret internal detail");
      const next = await fetch(url(`/gateway/${id}/request/fine`));
      expect(next.status).toBe(200);
      expect(((await next.json()) as any).hits).toBe(2);
    });

    it("a handler returning a non-Response -> 500 invalid_response", async () => {
      const id = await echoActor();
      const res = await fetch(url(`/gateway/${id}/request/not-a-response`));
      expect(res.status).toBe(500);
      expect((await errorOf(res)).code).toBe("invalid_response");
    });

    it("onBeforeConnect rejects without params (403) and accepts with them", async () => {
      const client = createClient<ExampleRegistry>(baseUrl());
      const key = unique("vault");
      await expect(client.vault.getOrCreate(key).reveal()).rejects.toMatchObject({ status: 403, code: "forbidden" });
      expect(await client.vault.getOrCreate(key, { params: { token: "t" } }).reveal()).toBe("42");
      const raw = await client.vault.getOrCreate(key).fetch("/");
      expect(raw.status).toBe(403);
    });
  });

  describe(`${host}: the client`, () => {
    it("getOrCreate, actions, fetch and resolve work through the host", async () => {
      const client = createClient<ExampleRegistry>(baseUrl());
      const key = [unique("cl"), "with/slash"];
      const handle = client.counter.getOrCreate(key);
      expect(await handle.increment(3)).toBe(3);
      const res = await handle.fetch("/increment", { method: "POST" });
      expect(await res.json()).toEqual({ count: 4 });
      const id = await handle.resolve();
      expect(await client.counter.getForId(id).get()).toBe(4);
      expect(await client.counter.get(key).get()).toBe(4);
      await expect(client.counter.get([unique("missing")]).get()).rejects.toMatchObject({ code: "actor_not_found" });
    });

    it("guestbook: Hono inside onRequest", async () => {
      const client = createClient<ExampleRegistry>(baseUrl());
      const book = client.guestbook.getOrCreate(unique("gb"));
      const posted = await book.fetch("/entries", { method: "POST", ...json({ name: "Ada", message: "Hello" }) });
      expect(posted.status).toBe(201);
      const list = (await (await book.fetch("/entries")).json()) as any;
      expect(list.entries.map((e: any) => e.message)).toEqual(["Hello"]);
      const bad = await book.fetch("/entries", { method: "POST", body: "nope" });
      expect(bad.status).toBe(400);
    });
  });

  streamingSuite(host, baseUrl);
}
