import { describe, expect, it } from "vitest";
// The full run is `node scripts/load.mjs` (1,000 actors x 64 connections x 60 s); this is the short one.
import { runLoad } from "../../../scripts/load.mjs";

describe("load (short)", () => {
  it("200 actors x 32 connections x 3 s: no errors, no lost increments", async () => {
    const result = await runLoad({ actors: 200, connections: 32, duration: 3 });
    expect(result.requests).toBeGreaterThan(200);
    expect(result.errors).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.unacknowledgedButStored).toBe(0);
  }, 120_000);
});
