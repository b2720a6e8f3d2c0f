// Prints the call tree below every frame whose name contains <match>, merged, in CPU µs per
// request. Usage: node profile-tree.ts <file.cpuprofile> <requests> <match> [depth] [min µs]
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, requestsArg, match, depthArg, minArg] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file!, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const requests = Number(requestsArg);
const depth = Number(depthArg ?? 6);
const min = Number(minArg ?? 0.3);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i + 1] ?? 0) / requests));
const name = (n: Node) =>
  `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/\/work\/main\//, "")}:${n.callFrame.lineNumber + 1}`;
const inclusive = new Map<number, number>();
const incl = (n: Node): number => {
  let t = self.get(n.id) ?? 0;
  for (const c of n.children ?? []) t += incl(byId.get(c)!);
  inclusive.set(n.id, t);
  return t;
};
const root = prof.nodes[0]!;
incl(root);

interface Merged { total: number; self: number; children: Map<string, Merged> }
const merged: Merged = { total: 0, self: 0, children: new Map() };
const add = (into: Merged, n: Node, d: number) => {
  into.total += inclusive.get(n.id) ?? 0;
  into.self += self.get(n.id) ?? 0;
  if (d >= depth) return;
  for (const c of n.children ?? []) {
    const cn = byId.get(c)!;
    const k = name(cn);
    let m = into.children.get(k);
    if (!m) into.children.set(k, (m = { total: 0, self: 0, children: new Map() }));
    add(m, cn, d + 1);
  }
};
const visit = (n: Node, inside: boolean) => {
  const hit = !inside && name(n).includes(match!);
  if (hit) add(merged, n, 0);
  for (const c of n.children ?? []) visit(byId.get(c)!, inside || hit);
};
visit(root, false);
const print = (m: Merged, label: string, indent: string) => {
  console.log(`${m.total.toFixed(1).padStart(6)} ${m.self.toFixed(1).padStart(5)}  ${indent}${label}`);
  for (const [k, c] of [...m.children].sort((a, b) => b[1].total - a[1].total)) if (c.total >= min) print(c, k, indent + "  ");
};
console.log(" total  self");
print(merged, match!, "");
