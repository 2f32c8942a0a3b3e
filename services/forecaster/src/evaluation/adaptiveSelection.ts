import { isObserved } from '../models/model.js';
import type { BacktestForecasts } from './rollingOrigin.js';

export interface Candidate {
  readonly name: string;
  /** Its backtest inside the training part (primes the error estimate). */
  readonly inner: BacktestForecasts;
  /** Its rolling forecasts over the holdout; every candidate's share one layout. */
  readonly outer: BacktestForecasts;
}

/** Weight of the newest origin in each model's running error. */
const DECAY = 0.1;
/** Switch only when another model's running error is this much lower (hysteresis). */
const SWITCH_MARGIN = 0.1;

/**
 * Re-selection as errors drift, replayed over the holdout: every model keeps an exponentially
 * weighted mean absolute error per origin, updated once that origin's actuals are in; the series
 * switches to the best model when its current one is worse by more than the margin. Returns the
 * forecasts it would have made (each origin's from the model current at that origin).
 */
export function adaptiveSelection(
  values: Float64Array,
  candidates: readonly Candidate[],
  initial: string | undefined,
): BacktestForecasts | undefined {
  const first = candidates[0];
  if (first === undefined) return undefined;
  const errors = candidates.map((c) => meanAbsError(values, c.inner, 0, c.inner.index.length));
  let current = Math.max(
    0,
    candidates.findIndex((c) => c.name === initial),
  );
  const mean = new Float64Array(first.outer.mean.length);
  let start = 0;
  while (start < mean.length) {
    const origin = first.outer.origin[start];
    let end = start;
    while (end < mean.length && first.outer.origin[end] === origin) end++;
    const chosen = candidates[current] ?? first;
    mean.set(chosen.outer.mean.subarray(start, end), start);
    // This origin's actuals are in before the next origin: update every model's running error.
    candidates.forEach((c, i) => {
      const mae = meanAbsError(values, c.outer, start, end);
      if (!Number.isNaN(mae))
        errors[i] = Number.isNaN(errors[i] ?? Number.NaN)
          ? mae
          : (1 - DECAY) * (errors[i] ?? 0) + DECAY * mae;
    });
    const best = errors.reduce((b, e, i) => (e < (errors[b] ?? Infinity) ? i : b), current);
    if ((errors[best] ?? Infinity) * (1 + SWITCH_MARGIN) < (errors[current] ?? Infinity)) current = best;
    start = end;
  }
  return { ...first.outer, mean };
}

function meanAbsError(values: Float64Array, forecasts: BacktestForecasts, from: number, to: number): number {
  let sum = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const actual = values[forecasts.index[i] ?? -1];
    if (!isObserved(actual)) continue;
    sum += Math.abs(actual - (forecasts.mean[i] ?? 0));
    n++;
  }
  return n > 0 ? sum / n : Number.NaN;
}
