// Compares two V8 .cpuprofile files in CPU µs per request: total, then functions by self time
// and by inclusive time, sorted by the difference. Usage:
//   node profile-diff.ts <base.cpuprofile> <base requests> <other.cpuprofile> <other requests> [count] [filter]
// (profiles of the same server on two routes, e.g. from profile-framework.sh).
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Summary {
  total: number;
  self: Map<string, number>;
  incl: Map<string, number>;
}
const IDLE = new Set(["(idle)", "(root)"]);

function summarize(file: string, requests: number): Summary {
  const prof = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: Node) =>
    `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/\/work\/main\//, "")}:${n.callFrame.lineNumber + 1}`;
  const out: Summary = { total: 0, self: new Map(), incl: new Map() };
  // Sample i lasted timeDeltas[i + 1] (V8 records the delta before each sample).
  prof.samples.forEach((id, i) => {
    const t = (prof.timeDeltas[i + 1] ?? 0) / requests;
    const node = byId.get(id)!;
    if (IDLE.has(node.callFrame.functionName)) return;
    out.total += t;
    const k = name(node);
    out.self.set(k, (out.self.get(k) ?? 0) + t);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = name(byId.get(cur)!);
      if (seen.has(key)) continue;
      seen.add(key);
      out.incl.set(key, (out.incl.get(key) ?? 0) + t);
    }
  });
  return out;
}

const [fa, ra, fb, rb, countArg, filter] = process.argv.slice(2);
const a = summarize(fa!, Number(ra));
const b = summarize(fb!, Number(rb));
const count = Number(countArg ?? 40);
console.log(`CPU µs/request (non-idle samples): base ${a.total.toFixed(1)}, other ${b.total.toFixed(1)}, diff ${(b.total - a.total).toFixed(1)}`);
const show = (title: string, ma: Map<string, number>, mb: Map<string, number>, sortBy: "diff" | "other") => {
  console.log(`\n${title}   base  other   diff`);
  const keys = new Set([...ma.keys(), ...mb.keys()]);
  const rows = [...keys]
    .filter((k) => !filter || k.includes(filter))
    .map((k) => ({ k, x: ma.get(k) ?? 0, y: mb.get(k) ?? 0 }));
  rows.sort((p, q) => (sortBy === "diff" ? Math.abs(q.y - q.x) - Math.abs(p.y - p.x) : q.y - p.y));
  for (const { k, x, y } of rows.slice(0, count)) {
    console.log(`${x.toFixed(1).padStart(6)} ${y.toFixed(1).padStart(6)} ${(y - x >= 0 ? "+" : "") + (y - x).toFixed(1).padStart(6)}  ${k}`);
  }
};
show("self µs/req, by |difference|", a.self, b.self, "diff");
show("inclusive µs/req, by |difference|", a.incl, b.incl, "diff");
