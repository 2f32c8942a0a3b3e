import type { SeriesContext } from './model.js';

/** A context for synthetic series: hourly steps from the epoch. */
export function hourly(season: number): SeriesContext {
  return { season, stepMs: 3_600_000, startMs: 0 };
}

/** level + slope·t + pattern[t mod period] for t in [0, n). */
export function seasonalSeries(n: number, pattern: readonly number[], level = 50, slope = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, t) => level + slope * t + (pattern[t % pattern.length] ?? 0));
}
