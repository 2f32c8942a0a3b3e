import { isObserved, type FittedForecaster, type ForecastModel } from './model.js';

/**
 * The Theta method (Assimakopoulos & Nikolopoulos 2000, M3's winner), in Hyndman & Billah's form:
 * simple exponential smoothing with a drift of half the series' linear trend, on the seasonally
 * adjusted series, seasonality put back afterwards. Seasonality (additive indices from a centred
 * moving average) is removed only when the autocorrelation at the season's lag is significant at
 * 90%, as in the M3 setup; otherwise the season is left alone. Meant to run on log1p counts.
 */
export function theta(name = 'theta'): ForecastModel {
  return {
    name,
    minHistory: (context) => Math.max(10, 2 * context.season + 2),
    fit: (history, context) => {
      const period = context.season;
      const seasonal =
        period > 1 && isSeasonal(history, period) ? seasonalIndices(history, period) : undefined;
      const adjusted = history.map((v, t) =>
        isObserved(v) ? v - (seasonal?.[t % period] ?? 0) : Number.NaN,
      );
      const drift = slope(adjusted) / 2;
      const alpha = bestAlpha(adjusted, drift);
      const state = new ThetaState(alpha, drift, seasonal, period);
      for (const v of history) state.update(v);
      return state;
    },
  };
}

class ThetaState implements FittedForecaster {
  private level = Number.NaN;
  private observed = 0;
  private t = 0;

  constructor(
    private readonly alpha: number,
    private readonly drift: number,
    private readonly seasonal: Float64Array | undefined,
    private readonly period: number,
  ) {}

  update(value: number): void {
    const phase = this.t % this.period;
    this.t++;
    if (Number.isNaN(this.level) && !isObserved(value)) return;
    // A gap is filled with the model's own one-step forecast, so the trend moves on through it.
    const adjusted = isObserved(value)
      ? value - (this.seasonal?.[phase] ?? 0)
      : this.level + this.drift * this.offset();
    this.observed++;
    this.level = Number.isNaN(this.level) ? adjusted : this.alpha * adjusted + (1 - this.alpha) * this.level;
  }

  /** SES with drift: the drift term's start offset, (1 - (1-α)^n) / α, grows in over the history. */
  private offset(): number {
    return (1 - (1 - this.alpha) ** this.observed) / this.alpha;
  }

  forecast(horizon: number): Float64Array {
    const out = new Float64Array(horizon);
    const level = Number.isNaN(this.level) ? 0 : this.level;
    const offset = this.offset();
    for (let h = 1; h <= horizon; h++) {
      const phase = (this.t + h - 1) % this.period;
      out[h - 1] = Math.max(0, level + this.drift * (h - 1 + offset) + (this.seasonal?.[phase] ?? 0));
    }
    return out;
  }
}

/** One-step squared error of SES with drift on `series` for a given alpha. */
function sesLoss(series: Float64Array, alpha: number, drift: number): number {
  let level = Number.NaN;
  let sse = 0;
  let n = 0;
  for (const v of series) {
    if (!isObserved(v)) continue;
    if (Number.isNaN(level)) {
      level = v;
      n = 1;
      continue;
    }
    const offset = (1 - (1 - alpha) ** n) / alpha;
    const error = v - (level + drift * offset);
    sse += error * error;
    level = alpha * v + (1 - alpha) * level;
    n++;
  }
  return sse;
}

/** Golden-section search for alpha in [0.01, 0.99]: the loss is smooth and one-dimensional. */
function bestAlpha(series: Float64Array, drift: number): number {
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = 0.01;
  let hi = 0.99;
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = sesLoss(series, a, drift);
  let fb = sesLoss(series, b, drift);
  for (let i = 0; i < 30; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = sesLoss(series, a, drift);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = sesLoss(series, b, drift);
    }
  }
  return (lo + hi) / 2;
}

/** Least-squares slope of the observed points against their index. */
function slope(series: Float64Array): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  series.forEach((y, x) => {
    if (!isObserved(y)) return;
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  });
  const denominator = n * sxx - sx * sx;
  return n < 2 || denominator === 0 ? 0 : (n * sxy - sx * sy) / denominator;
}

/** Autocorrelation of the observed points at `lag` (pairs with a gap are skipped). */
function autocorrelation(series: Float64Array, lag: number, mean: number, variance: number): number {
  let sum = 0;
  for (let t = lag; t < series.length; t++) {
    const a = series[t] ?? Number.NaN;
    const b = series[t - lag] ?? Number.NaN;
    if (isObserved(a) && isObserved(b)) sum += (a - mean) * (b - mean);
  }
  return variance > 0 ? sum / variance : 0;
}

/** The M3 test: |r_m| beyond 1.645 standard errors (Bartlett) of the lag-m autocorrelation. */
export function isSeasonal(series: Float64Array, period: number): boolean {
  const observed = series.filter(isObserved);
  const n = observed.length;
  if (n < 3 * period) return false;
  const mean = observed.reduce((s, v) => s + v, 0) / n;
  const variance = observed.reduce((s, v) => s + (v - mean) ** 2, 0);
  let sumSquares = 0;
  for (let k = 1; k < period; k++) sumSquares += autocorrelation(series, k, mean, variance) ** 2;
  const r = autocorrelation(series, period, mean, variance);
  return Math.abs(r) > 1.645 * Math.sqrt((1 + 2 * sumSquares) / n);
}

/**
 * Additive seasonal indices: the mean difference from a centred moving average (2×m for an even
 * period) at each phase, centred on zero. Gaps are skipped in both the average and the means.
 */
export function seasonalIndices(series: Float64Array, period: number): Float64Array {
  const n = series.length;
  const sums = new Float64Array(n + 1);
  const counts = new Float64Array(n + 1);
  for (let t = 0; t < n; t++) {
    const v = series[t] ?? Number.NaN;
    sums[t + 1] = (sums[t] ?? 0) + (isObserved(v) ? v : 0);
    counts[t + 1] = (counts[t] ?? 0) + (isObserved(v) ? 1 : 0);
  }
  const windowMean = (from: number, to: number) => {
    const c = (counts[to] ?? 0) - (counts[from] ?? 0);
    return c > 0 ? ((sums[to] ?? 0) - (sums[from] ?? 0)) / c : Number.NaN;
  };
  const half = Math.floor(period / 2);
  const phaseSum = new Float64Array(period);
  const phaseCount = new Float64Array(period);
  for (let t = half; t + half < n; t++) {
    const v = series[t] ?? Number.NaN;
    if (!isObserved(v)) continue;
    const centred =
      period % 2 === 1
        ? windowMean(t - half, t + half + 1)
        : (windowMean(t - half, t + half) + windowMean(t - half + 1, t + half + 1)) / 2;
    if (Number.isNaN(centred)) continue;
    const phase = t % period;
    phaseSum[phase] = (phaseSum[phase] ?? 0) + v - centred;
    phaseCount[phase] = (phaseCount[phase] ?? 0) + 1;
  }
  const indices = phaseSum.map((s, p) => ((phaseCount[p] ?? 0) > 0 ? s / (phaseCount[p] ?? 1) : 0));
  const mean = indices.reduce((s, v) => s + v, 0) / period;
  return indices.map((v) => v - mean);
}
