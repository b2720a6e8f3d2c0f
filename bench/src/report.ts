import type { MemoryFigures } from "./figures/memory.ts";
import type { Row } from "./rows.ts";

/** A target taken as a ratio of two rows of the same run. */
export interface Target {
  row: string;
  baseline: string;
  /** `row / baseline` must be at least this (or `baseline / row`, when `inverse`). */
  min: number;
  /** Peer rows: the target is Troupe (`baseline`) being `min` times faster. */
  inverse?: boolean;
  text: string;
}

export interface Judged {
  ratio?: number;
  ratioText: string;
  target: string;
  met: string;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Ratio column and verdict of each row: its target if it has one, else the ratio to its plain baseline. */
export function judge(rows: Row[], targets: Target[], baselines: Record<string, string>): Map<string, Judged> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out = new Map<string, Judged>();
  const rps = (id: string) => byId.get(id)?.result?.rps;
  for (const row of rows) {
    const t = targets.find((x) => x.row === row.id);
    const baseId = t?.baseline ?? baselines[row.id];
    const a = rps(row.id);
    const b = baseId ? rps(baseId) : undefined;
    if (a === undefined || b === undefined || !baseId) {
      out.set(row.id, { ratioText: baseId ? "n/a" : "", target: t?.text ?? "", met: t ? "n/a" : "" });
      continue;
    }
    if (t?.inverse) {
      const x = b / a;
      out.set(row.id, { ratio: x, ratioText: `Troupe ${fmt(x, 0)}x (row ${baseId})`, target: t.text, met: x >= t.min ? "yes" : "**no**" });
    } else {
      const x = a / b;
      out.set(row.id, {
        ratio: x,
        ratioText: `${fmt(x, 2)}x row ${baseId}`,
        target: t?.text ?? "",
        met: t ? (x >= t.min ? "yes" : "**no**") : "",
      });
    }
  }
  return out;
}

/** The main table, as Markdown (pasted as is into the README). */
export function table(rows: Row[], judged: Map<string, Judged>): string {
  const lines = [
    "| # | server under load | conns | req/s | p50 ms | p99 ms | errors | server CPU µs/req | ratio | target | met? |",
    "|---|---|---:|---:|---:|---:|---:|---:|---|---|---|",
  ];
  for (const r of rows) {
    const j = judged.get(r.id)!;
    const label = r.note ? `${r.label} (${r.note})` : r.label;
    if (!r.result) {
      lines.push(`| ${r.id} | ${label} | ${r.connections} | unavailable: ${r.unavailable ?? "?"} | | | | | | ${j.target} | n/a |`);
      continue;
    }
    const x = r.result;
    lines.push(
      `| ${r.id} | ${label} | ${r.connections} | ${fmt(x.rps)} | ${fmt(x.p50, 0)} | ${fmt(x.p99, 0)} | ${x.errors} | ${x.cpuUsPerRequest === undefined ? "" : fmt(x.cpuUsPerRequest, 0)} | ${j.ratioText} | ${j.target} | ${j.met} |`,
    );
  }
  return lines.join("\n");
}

/** Targets on memory and wake latency. */
export const MEMORY_TARGETS = { sleepingBytes: 1024, awakeBytes: 8192, wakeP50Ms: 1 };

/** Per-actor memory takes the larger of the RSS slope and the JS heap slope (RSS alone can hide growth in already-resident pages). */
export const perActor = (rss: number, heap: number) => Math.max(rss, heap);

/** The memory and wake-latency table, as Markdown. */
export function memoryTable(figures: MemoryFigures[]): string {
  const yes = (ok: boolean) => (ok ? "yes" : "**no**");
  const lines = [
    "| actors | per sleeping actor (RSS / heap) | per awake idle actor (RSS / heap) | wake p50 / p99 ms | request to a sleeping actor p50 / p99 ms | to an awake one p50 ms | met? (<= 1 KB, <= 8 KB, wake p50 <= 1 ms) |",
    "|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const f of figures) {
    const sleeping = perActor(f.bytesPerSleepingActor, f.heapBytesPerSleepingActor);
    const awake = perActor(f.bytesPerAwakeActor, f.heapBytesPerAwakeActor);
    const met = [
      yes(sleeping <= MEMORY_TARGETS.sleepingBytes),
      yes(awake <= MEMORY_TARGETS.awakeBytes),
      yes(f.wakeP50Ms <= MEMORY_TARGETS.wakeP50Ms),
    ].join(", ");
    lines.push(
      `| ${fmt(f.actors)} | ${fmt(f.bytesPerSleepingActor)} B / ${fmt(f.heapBytesPerSleepingActor)} B | ${fmt(f.bytesPerAwakeActor)} B / ${fmt(f.heapBytesPerAwakeActor)} B | ${fmt(f.wakeP50Ms, 3)} / ${fmt(f.wakeP99Ms, 3)} | ${fmt(f.sleepingRequestP50Ms, 3)} / ${fmt(f.sleepingRequestP99Ms, 3)} | ${fmt(f.awakeRequestP50Ms, 3)} | ${met} |`,
    );
  }
  return lines.join("\n");
}
