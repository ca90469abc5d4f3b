// Every constant of the suspect ranking, in one place, so its sensitivity can be measured
// (`npm run bench -- suspects` moves each by ±50% and reports top-1 per system). Each is a
// practical-significance threshold or a cap, in the units of the statistic it bounds, not a weight
// fitted to incidents. Read at call time: the bench changes them in place.
export const TUNING = {
  /** Evidence cap per statistic (z units): beyond it the tests' own assumptions dominate. */
  zCap: 10,
  /** Call waits: minimum effect (relative growth: 0.5 = +50%) and absolute growth (ms) before a change
   * is evidence. */
  edgeMinGrowth: 0.5,
  edgeMinDeltaMs: 1,
  /** Share of calls that may wait past the baseline's slowest without a fault (tails drift with load):
   * the null share of the count of such calls (0.01 = one call in a hundred). */
  edgeMinSlowShare: 0.01,
  /** A call on an edge new in the window counts as slow past this share of the window's longest waits
   * (0.1: its 90th percentile), which is then its null chance (calls of little-used edges, pooled per service). */
  edgeRareNullShare: 0.1,
  /** A call edge counts as anomalous from this z (p ≈ 0.001 one-sided) for attribution. */
  edgeAnomalousZ: 3,
  /** Own time: minimum effect (relative growth of 1 + ms: 0.2 = +20%) and absolute growth (ms). */
  ownMinGrowth: 0.2,
  ownMinDeltaMs: 2,
  /** Share of its evidence a slower database call gives its caller (the database may be the cause). */
  dbCallFactor: 0.35,
  /** Causality: how much less a callee one hop farther explains of its caller's movement. */
  hopDecay: 0.6,
  /** Share of its score a recovering service keeps. */
  recoveringFactor: 0.35,
  /** Most of a caller's score a callee can explain away (callers can be guilty too). */
  maxExplained: 0.6,
};

export type Tuning = typeof TUNING;
