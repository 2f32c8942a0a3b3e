import { isObserved } from '../models/model.js';
import type { BacktestForecasts } from './rollingOrigin.js';

/**
 * MASE's denominator: the mean absolute error of the seasonal-naive forecast in sample
 * (|y[t] - y[t-season]| over the training part, where both are observed).
 */
export function seasonalNaiveScale(values: Float64Array, trainEnd: number, season: number): number {
  const m = Math.max(1, season);
  let sum = 0;
  let n = 0;
  for (let t = m; t < trainEnd; t++) {
    const now = values[t];
    const before = values[t - m];
    if (!isObserved(now) || !isObserved(before)) continue;
    sum += Math.abs(now - before);
    n++;
  }
  return n > 0 && sum > 0 ? sum / n : Number.NaN;
}

export interface Accuracy {
  /** Mean absolute error over the scale; < 1 beats in-sample seasonal naive. */
  readonly mase: number;
  /** Sum of absolute errors over the sum of actuals. */
  readonly wape: number;
  /** Share of actuals at or below the p90 forecast (nominal 0.9); NaN without quantiles. */
  readonly coverage90: number;
  /** Observed points scored. */
  readonly points: number;
}

/** Scores forecasts on the observed points only. `p90` (optional) is aligned with `forecasts`. */
export function scoreForecasts(
  values: Float64Array,
  forecasts: BacktestForecasts,
  scale: number,
  p90?: Float64Array,
): Accuracy {
  let absError = 0;
  let absActual = 0;
  let covered = 0;
  let points = 0;
  for (let i = 0; i < forecasts.index.length; i++) {
    const actual = values[forecasts.index[i] ?? -1];
    if (!isObserved(actual)) continue;
    absError += Math.abs(actual - (forecasts.mean[i] ?? 0));
    absActual += Math.abs(actual);
    if (p90 !== undefined && actual <= (p90[i] ?? 0)) covered++;
    points++;
  }
  return {
    mase: points > 0 ? absError / points / scale : Number.NaN,
    wape: absActual > 0 ? absError / absActual : Number.NaN,
    coverage90: p90 !== undefined && points > 0 ? covered / points : Number.NaN,
    points,
  };
}
