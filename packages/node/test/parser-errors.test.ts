/** Requests Node's HTTP parser rejects before any handler runs still get Troupe's JSON errors. */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actor, setup } from "@troupe/core";
import { serve, type TroupeServer } from "../src/index.js";

let server: TroupeServer;
beforeAll(async () => {
  server = await serve(setup({ use: { a: actor({ state: {} }) } }), { port: 0, handleSignals: false, store: "memory" });
});
afterAll(() => server.close());

function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1", () => socket.end(request));
    let out = "";
    socket.on("data", (d) => (out += d));
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
  });
}

const parse = (response: string) => {
  const [head, body] = response.split("\r\n\r\n");
  return { status: Number(head!.split(" ")[1]), head: head!.toLowerCase(), body: JSON.parse(body!) };
};

describe("Node parser errors", () => {
  it("headers over Node's limit -> 431 JSON", async () => {
    const res = parse(await raw(`GET /actors?name=a HTTP/1.1\r\nHost: x\r\nX-Big: ${"y".repeat(20_000)}\r\n\r\n`));
    expect(res.status).toBe(431);
    expect(res.head).toContain("content-type: application/json");
    expect(res.body.error.code).toBe("request_header_fields_too_large");
  });

  it("a malformed request -> 400 JSON, and the server keeps serving", async () => {
    const res = parse(await raw("NOT-HTTP\r\n\r\n"));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("bad_request");
    const ok = await fetch(`${server.url}/actors?name=a&key=x`);
    expect(ok.status).toBe(404);
  });

  it("a HEAD that fails to parse gets no body", async () => {
    const res = await raw(`HEAD / HTTP/1.1\r\nHost: x\r\nX-Big: ${"y".repeat(20_000)}\r\n\r\n`);
    expect(res.split("\r\n\r\n")[1]).toBe("");
  });
});
