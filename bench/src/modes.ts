/** How long and how wide one bench run is. */
export interface Mode {
  name: "smoke" | "quick" | "full";
  /** Measured seconds per row. */
  seconds: number;
  warmupSeconds: number;
  /** Rows whose ratio is a target are measured interleaved, in this many slices each. */
  pairRounds: number;
  /** Actors for the round-robin row (Troupe). */
  manyActors: number;
  /** Actors for RivetKit's round-robin row (it creates actors far more slowly). */
  rivetActors: number;
  /** Whether the framework reference rows (not targets) are measured too. */
  references: boolean;
  /** Actor counts for the memory figures. */
  memoryActors: number[];
  wakeSamples: number;
}

export const MODES: Record<Mode["name"], Mode> = {
  smoke: { name: "smoke", seconds: 1, warmupSeconds: 0.5, pairRounds: 1, manyActors: 0, rivetActors: 0, references: false, memoryActors: [], wakeSamples: 0 },
  // Quick stays under 2 minutes even when the sample apps must be built first: fewer RivetKit
  // actors, and no reference rows.
  quick: { name: "quick", seconds: 2, warmupSeconds: 0.5, pairRounds: 2, manyActors: 10_000, rivetActors: 50, references: false, memoryActors: [10_000], wakeSamples: 1000 },
  full: {
    name: "full",
    seconds: 10,
    warmupSeconds: 3,
    pairRounds: 5,
    manyActors: 10_000,
    rivetActors: 1000,
    references: true,
    memoryActors: [10_000, 100_000],
    wakeSamples: 5000,
  },
};
