import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createExampleRegistry } from "@troupe/example";
import { toNextProxy } from "../src/index.js";

const registry = createExampleRegistry({ basePath: "/api/actors" });
const proxy = toNextProxy(registry);
const origin = "http://app.test";

afterAll(() => registry.shutdown());

async function echoActor(key: string) {
  const res = await registry.fetch(new Request(`${origin}/api/actors/actors`, { method: "PUT", body: JSON.stringify({ name: "echo", key: [key] }) }));
  return ((await res.json()) as { actorId: string }).actorId;
}

/** What Next hands its proxy for a method other than GET/HEAD: a body stream, empty when the client sent none. */
function withEmptyStream(url: string, method: string, headers: Record<string, string> = {}) {
  return new Request(url, { method, headers, body: new ReadableStream({ start: (c) => c.close() }), duplex: "half" } as RequestInit);
}

describe("toNextProxy", () => {
  it("answers bodiless requests under the mount prefix through the registry (basePath from the registry by default)", async () => {
    const id = await echoActor("get");
    const res = await proxy(new Request(`${origin}/api/actors/gateway/${id}/request/x?y=1`));
    expect(res).toBeInstanceOf(Response);
    const echo = (await res!.json()) as any;
    expect(echo.method).toBe("GET");
    expect(echo.pathname).toBe("/x");
    expect(echo.search).toBe("?y=1");
  });

  it("a DELETE (or content-length: 0 POST) reaches the actor without Next's empty body stream", async () => {
    const id = await echoActor("delete");
    for (const [method, headers] of [["DELETE", {}], ["POST", { "content-length": "0" }]] as const) {
      const res = await proxy(withEmptyStream(`${origin}/api/actors/gateway/${id}/request/x`, method, headers));
      const echo = (await res!.json()) as any;
      expect(echo.method, method).toBe(method);
      expect(echo.bodyLength, method).toBe(0);
    }
  });

  it("leaves everything outside the mount prefix to Next (undefined means: go on)", () => {
    for (const path of ["/", "/api/actorsx/actors", "/api/other", "/x/api/actors/actors"]) {
      expect(proxy(new Request(origin + path)), path).toBeUndefined();
    }
  });

  it("passes requests with a body on to the route handler, warning once that the matcher should exclude them", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const fresh = toNextProxy(registry, { basePath: "/api/actors" });
      // As Next builds them: the headers as received, which frame every HTTP/1.1 body.
      const sized = withEmptyStream(`${origin}/api/actors/actors`, "PUT", { "content-length": "2" });
      const chunked = withEmptyStream(`${origin}/api/actors/actors`, "POST", { "transfer-encoding": "chunked" });
      expect(fresh(sized)).toBeUndefined();
      expect(fresh(chunked)).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain('missing: [{ type: "header", key: "content-length" }');
    } finally {
      warn.mockRestore();
    }
  });

  it("removes x-middleware-* headers from the actor's answer: Next would take them as routing orders", async () => {
    const id = await echoActor("orders");
    const res = await proxy(new Request(`${origin}/api/actors/gateway/${id}/request/router-orders`));
    expect(res!.status).toBe(200);
    expect(await res!.text()).toBe("own");
    expect([...res!.headers.keys()].filter((n) => n.startsWith("x-middleware-"))).toEqual([]);
  });

  it("also from a relayed fetch() answer, whose headers are immutable", async () => {
    const upstream = createServer((_req, res) => res.writeHead(200, { "x-middleware-rewrite": "http://evil.test/", "x-kept": "1" }).end("relayed"));
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
    try {
      const relay = {
        config: {},
        // Like an actor returning `fetch(upstream)` as is.
        dispatcher: () => () => fetch(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`),
      } as unknown as Parameters<typeof toNextProxy>[0];
      const res = await toNextProxy(relay, { basePath: "/api/actors" })(new Request(`${origin}/api/actors/gateway/x/request/y`));
      expect(res!.headers.get("x-middleware-rewrite")).toBeNull();
      expect(res!.headers.get("x-kept")).toBe("1");
      expect(await res!.text()).toBe("relayed");
    } finally {
      upstream.close();
    }
  });
});
