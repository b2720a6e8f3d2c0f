// The bench is not part of the suite; this only checks that it starts, measures and reports:
// `--smoke` loads raw node:http and Troupe (in-memory actor) for ~1 s each, in real processes.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const latest = fileURLToPath(new URL("../results/latest-smoke.json", import.meta.url));

interface ReportedRow {
  id: string;
  result?: { rps: number; errors: number; requests: number };
  unavailable?: string;
}

describe("bench --smoke", () => {
  it("reports raw node:http and Troupe rows with nonzero req/s and no errors", () => {
    const run = spawnSync(process.execPath, [main, "--smoke"], { encoding: "utf8", timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\| 1 \| raw node:http \|/);
    expect(run.stdout).toMatch(/\| 3 \| Troupe serve\(\) -> in-memory actor onRequest \|/);
    const report = JSON.parse(readFileSync(latest, "utf8")) as { rows: ReportedRow[] };
    const rows = new Map(report.rows.map((r) => [r.id, r]));
    for (const id of ["1", "3"]) {
      const row = rows.get(id);
      expect(row?.unavailable, `row ${id}`).toBeUndefined();
      expect(row?.result?.requests, `row ${id}`).toBeGreaterThan(0);
      expect(row?.result?.rps, `row ${id}`).toBeGreaterThan(0);
      expect(row?.result?.errors, `row ${id}`).toBe(0);
    }
  });
});
