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
  /** Actor counts for the memory figures. */
  memoryActors: number[];
  wakeSamples: number;
}

export const MODES: Record<Mode["name"], Mode> = {
  smoke: { name: "smoke", seconds: 1, warmupSeconds: 0.5, pairRounds: 1, manyActors: 0, rivetActors: 0, memoryActors: [], wakeSamples: 0 },
  quick: { name: "quick", seconds: 2, warmupSeconds: 0.5, pairRounds: 2, manyActors: 10_000, rivetActors: 100, memoryActors: [10_000], wakeSamples: 1000 },
  full: {
    name: "full",
    seconds: 10,
    warmupSeconds: 3,
    pairRounds: 5,
    manyActors: 10_000,
    rivetActors: 1000,
    memoryActors: [10_000, 100_000],
    wakeSamples: 5000,
  },
};
