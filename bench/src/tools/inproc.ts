// In-process cost of one request through `serve()`'s gateway to an actor's onRequest ("ok"),
// without sockets: CPU µs and bytes allocated per request, against building one bare `Request`
// (the floor: the actor gets a real one). The incoming request is the lightweight one
// @hono/node-server builds (captured once and reused), with the host hooks `serve()` sets.
// CPU time and allocation barely move with the machine's load, unlike req/s: use this to
// iterate on the hot path, then confirm with `pnpm bench`.
// Usage: node --max-semi-space-size=16 --min-semi-space-size=16 inproc.ts [iterations]
// (bytes are counted as young-generation collections x 16 MB, hence the fixed semi-space).
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { getRequestListener } from "@hono/node-server";
import { setup } from "@troupe/core";
import { ok } from "../actors.ts";

const n = Number(process.argv[2] ?? 200_000);
const SEMI_SPACE = 16 * 1024 * 1024;
let scavenges = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e.detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
}).observe({ entryTypes: ["gc"] });

const registry = setup({ use: { ok }, logger: { debug() {}, info() {} } });
const created = await registry.fetch(
  new Request("http://bench/actors", { method: "PUT", body: JSON.stringify({ name: "ok", key: ["a"] }), headers: { "content-type": "application/json" } }),
);
const { actorId } = (await created.json()) as { actorId: string };
const dispatch = registry.dispatcher();

const rawHeaders = ["Host", "127.0.0.1:8080", "User-Agent", "autocannon", "Accept", "*/*", "Connection", "keep-alive"];
const node = new IncomingMessage(new Socket());
node.method = "GET";
node.url = `/gateway/${actorId}/request/ok`;
node.rawHeaders = rawHeaders;
node.headers = { host: "127.0.0.1:8080", "user-agent": "autocannon", accept: "*/*", connection: "keep-alive" };
let incoming!: Request;
await getRequestListener((r) => {
  incoming = r;
  return new Response("x");
})(node, new ServerResponse(node));
const done: (() => void)[] = [];
const hooks = incoming as unknown as Record<symbol, unknown>;
hooks[Symbol.for("troupe.onResponseDone")] = (cb: () => void) => done.push(cb);
hooks[Symbol.for("troupe.bodyFramedByHeaders")] = true;
hooks[Symbol.for("troupe.rawHeaders")] = rawHeaders;

let sink: unknown;
const viaTroupe = () => {
  const res = dispatch(incoming);
  if (res instanceof Promise) throw new Error("expected a synchronous answer from an awake actor");
  sink = res;
  done.pop()!(); // the response is "sent"
};
const bareRequest = () => void (sink = new Request(`http://127.0.0.1:8080/ok`));

async function measure(name: string, one: () => void) {
  for (let i = 0; i < 20_000; i++) one();
  await new Promise((r) => setTimeout(r, 50));
  const s0 = scavenges;
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) one();
  const cpu = process.cpuUsage(t0);
  await new Promise((r) => setTimeout(r, 50));
  const us = (cpu.user + cpu.system) / n;
  console.log(`${name.padEnd(34)} ${us.toFixed(2)} µs CPU, ~${Math.round(((scavenges - s0) * SEMI_SPACE) / n)} B allocated per request`);
  return us;
}
await dispatch(incoming); // wakes the actor
done.pop()?.();
const floor = await measure("new Request(url) (the floor)", bareRequest);
const troupe = await measure("serve()'s gateway -> actor", viaTroupe);
console.log(`Troupe beyond the actor's Request: ${(troupe - floor).toFixed(2)} µs CPU per request`);
void sink;
