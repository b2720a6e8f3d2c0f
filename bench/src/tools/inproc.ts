// In-process cost of one request through the gateway to an actor's onRequest ("ok"), without
// sockets: the part of the hot path that is Troupe's own. Usage: node inproc.ts [iterations]
import { setup } from "@troupe/core";
import { ok } from "../actors.ts";

const n = Number(process.argv[2] ?? 200_000);
const registry = setup({ use: { ok } });
const created = await registry.fetch(
  new Request("http://bench/actors", { method: "PUT", body: JSON.stringify({ name: "ok", key: ["a"] }), headers: { "content-type": "application/json" } }),
);
const { actorId } = (await created.json()) as { actorId: string };
const url = `http://bench/gateway/${actorId}/request/ok`;
const headers = { host: "bench", "user-agent": "autocannon", accept: "*/*" };
async function round(count: number) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const res = await registry.fetch(new Request(url, { headers }));
    await res.arrayBuffer();
  }
  return Number(process.hrtime.bigint() - t) / 1e3 / count;
}
await round(20_000);
console.log(`${(await round(n)).toFixed(2)} µs per request (gateway + actor + reading the body)`);
const t = process.hrtime.bigint();
for (let i = 0; i < n; i++) await (await Promise.resolve(new Response("ok"))).arrayBuffer();
console.log(`${(Number(process.hrtime.bigint() - t) / 1e3 / n).toFixed(2)} µs per bare Response + read (floor)`);
