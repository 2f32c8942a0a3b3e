import { isObserved } from '../models/model.js';
import type { BacktestForecasts } from './rollingOrigin.js';

/** Fewer residuals than this at one step and the quantile uses all steps together. */
const MIN_PER_STEP = 20;

/**
 * Quantiles of backtest errors per forecast step, on the log1p scale: demand's spread grows with
 * its level, so a log residual carries over from quiet to busy periods where a raw one would not.
 */
export class ResidualQuantiles {
  private constructor(
    private readonly q50: Float64Array,
    private readonly q90: Float64Array,
  ) {}

  static fromBacktest(
    values: Float64Array,
    forecasts: BacktestForecasts,
    horizon: number,
  ): ResidualQuantiles {
    const byStep: number[][] = Array.from({ length: horizon }, () => []);
    const all: number[] = [];
    for (let i = 0; i < forecasts.index.length; i++) {
      const actual = values[forecasts.index[i] ?? -1];
      if (!isObserved(actual)) continue;
      const r = Math.log1p(Math.max(0, actual)) - Math.log1p(Math.max(0, forecasts.mean[i] ?? 0));
      byStep[(forecasts.step[i] ?? 1) - 1]?.push(r);
      all.push(r);
    }
    const q50 = new Float64Array(horizon);
    const q90 = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      const sample = (byStep[h]?.length ?? 0) >= MIN_PER_STEP ? (byStep[h] ?? all) : all;
      q50[h] = quantile(sample, 0.5);
      q90[h] = quantile(sample, 0.9);
    }
    return new ResidualQuantiles(q50, q90);
  }

  /** The p50 and p90 forecasts for a mean forecast `step` steps ahead (1-based). */
  apply(mean: number, step: number): { p50: number; p90: number } {
    const h = Math.min(Math.max(step, 1), this.q90.length) - 1;
    const base = Math.log1p(Math.max(0, mean));
    return {
      p50: Math.max(0, Math.expm1(base + (this.q50[h] ?? 0))),
      p90: Math.max(0, Math.expm1(base + (this.q90[h] ?? 0))),
    };
  }

  p90For(forecasts: BacktestForecasts): Float64Array {
    return forecasts.mean.map((mean, i) => this.apply(mean, forecasts.step[i] ?? 1).p90);
  }
}

/** Linear-interpolated quantile (type 7); 0 for an empty sample. */
export function quantile(sample: readonly number[], q: number): number {
  if (sample.length === 0) return 0;
  const sorted = [...sample].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (position - lo);
}
