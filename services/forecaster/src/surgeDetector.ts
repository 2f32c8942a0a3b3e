/**
 * Flash-crowd detection per series, in three floats of the series' state row: a slow baseline of
 * the window counts, a robust scale (mean absolute deviation from it) and a one-sided CUSUM of
 * capped z-scores. A surge is either
 *  - a sustained rise: the CUSUM passes `threshold` (with z capped at `zCap`, one window adds at
 *    most zCap - drift, so a lone spike in a noisy series never does it: it needs about three
 *    windows well above the baseline), or
 *  - an extreme jump: one window more than `spikeZ` scales and `spikeRatio` times above the baseline,
 *    as when a quiet or never-seen resource is suddenly asked for (the demo's crowd);
 * in both cases the window holds at least `minCount` queries and `ratio` times the baseline.
 * The baseline and scale move slowly and learn from capped values, so a crowd does not hide itself.
 */
export const SURGE_STRIDE = 3;
const BASELINE = 0;
const SCALE = 1;
const CUSUM = 2;

export interface SurgeSettings {
  /** Fewest queries in a surge window. */
  readonly minCount: number;
  /** A surge window holds at least this many times the baseline. */
  readonly ratio: number;
  /** Weight of each new window in the baseline and scale (0.02: a half-life of ~34 windows). */
  readonly baselineWeight: number;
  /** CUSUM reference value (in scales): rises smaller than this decay the sum. */
  readonly drift: number;
  readonly zCap: number;
  readonly threshold: number;
  readonly spikeZ: number;
  readonly spikeRatio: number;
}

export const DEFAULT_SURGE: SurgeSettings = {
  minCount: 5,
  ratio: 1.5,
  baselineWeight: 0.02,
  drift: 1,
  zCap: 2,
  threshold: 3,
  spikeZ: 8,
  spikeRatio: 3,
};

/** Mean absolute deviation to standard deviation, for normal noise. */
const MAD_TO_SIGMA = 1.2533;
/** Windows before a sustained rise can be called: the baseline is still a plain running mean. */
const WARM_UP = 10;

export function initSurge(state: Float64Array, at: number): void {
  state.fill(0, at, at + SURGE_STRIDE);
}

/**
 * Scores `count` (the series' `seen`-th window, from 0) against the state at `at`, then learns it.
 * Returns whether the window is a surge.
 */
export function observeSurge(
  state: Float64Array,
  at: number,
  count: number,
  seen: number,
  settings: SurgeSettings = DEFAULT_SURGE,
): boolean {
  const baseline = state[at + BASELINE] ?? 0;
  // Counts are at least Poisson-noisy: the scale never goes under sqrt(baseline) (1 when quiet).
  const sigma = Math.max(MAD_TO_SIGMA * (state[at + SCALE] ?? 0), Math.sqrt(Math.max(baseline, 1)));
  const z = (count - baseline) / sigma;
  const cusum =
    seen === 0 ? 0 : Math.max(0, (state[at + CUSUM] ?? 0) + Math.min(z, settings.zCap) - settings.drift);
  const large = count >= settings.minCount && count > settings.ratio * baseline;
  const sustained = seen >= WARM_UP && cusum > settings.threshold;
  const spike = z > settings.spikeZ && count > settings.spikeRatio * baseline;
  // A running mean while warming up, then exponential; the learnt value is capped at 4 scales above.
  const weight = Math.max(settings.baselineWeight, 1 / (seen + 1));
  const learnt = seen === 0 ? count : Math.min(count, baseline + 4 * sigma);
  state[at + SCALE] =
    seen === 0
      ? Math.sqrt(count)
      : (1 - weight) * (state[at + SCALE] ?? 0) + weight * Math.min(Math.abs(count - baseline), 4 * sigma);
  state[at + BASELINE] = (1 - weight) * baseline + weight * learnt;
  state[at + CUSUM] = cusum;
  return large && (sustained || spike);
}
