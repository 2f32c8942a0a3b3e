import { nelderMead, squash, unsquash } from '../fitting/nelderMead.js';
import { isObserved, type FittedForecaster, type ForecastModel, type SeriesContext } from './model.js';

export type Seasonality = 'none' | 'additive' | 'multiplicative';

export interface HoltWintersOptions {
  readonly seasonality: Seasonality;
  /** Steps per season; defaults to the series' season. */
  readonly period?: number;
  /** Fit a damping factor for the trend (else no trend at all: a flat level plus season). */
  readonly trend?: 'damped' | 'none';
  readonly name?: string;
}

export interface HoltWintersParameters {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
}

const PHI_RANGE = [0.8, 0.98] as const;

/**
 * Holt-Winters exponential smoothing in error-correction form, with an optional damped trend and
 * additive or multiplicative seasonality. Parameters minimise the in-sample one-step squared error
 * (Nelder-Mead over a logistic map of the usual admissible region: 0<β<α<1, 0<γ<1-α).
 */
export function holtWinters(options: HoltWintersOptions): ForecastModel {
  const damped = (options.trend ?? 'damped') === 'damped';
  const seasonal = options.seasonality !== 'none';
  const periodOf = (context: SeriesContext) => (seasonal ? (options.period ?? context.season) : 1);
  return {
    name: options.name ?? defaultName(options.seasonality, damped),
    minHistory: (context) => (seasonal ? 2 * periodOf(context) + 2 : 4),
    fit: (history, context) => {
      const period = periodOf(context);
      const init = initialState(history, period, options.seasonality);
      const toParameters = (u: readonly number[]): HoltWintersParameters => {
        const alpha = squash(u[0] ?? 0, 0.001, 0.999);
        return {
          alpha,
          beta: damped ? alpha * squash(u[1] ?? 0, 0.001, 0.999) : 0,
          gamma: seasonal ? (1 - alpha) * squash(u[2] ?? 0, 0.001, 0.999) : 0,
          phi: damped ? squash(u[3] ?? 0, PHI_RANGE[0], PHI_RANGE[1]) : 0,
        };
      };
      const start = [
        unsquash(0.3, 0.001, 0.999),
        unsquash(0.1, 0.001, 0.999),
        unsquash(0.1, 0.001, 0.999),
        unsquash(0.9, ...PHI_RANGE),
      ];
      const loss = (u: number[]) => {
        const state = new HoltWintersState(toParameters(u), options.seasonality, init);
        const sse = state.run(history);
        return Number.isFinite(sse) ? sse : Number.MAX_VALUE;
      };
      const best = nelderMead(loss, start, { maxEvaluations: 400, tolerance: 1e-7 });
      const state = new HoltWintersState(toParameters(best.x), options.seasonality, init);
      state.run(history);
      return state;
    },
  };
}

function defaultName(seasonality: Seasonality, damped: boolean): string {
  const base =
    seasonality === 'none' ? 'holt' : seasonality === 'additive' ? 'holt-winters-add' : 'holt-winters-mul';
  return damped ? `${base}-damped` : base;
}

interface InitialState {
  readonly level: number;
  readonly trend: number;
  readonly seasonal: Float64Array;
}

/** Classical start: level from the first season's mean, seasonal indices from the first two. */
export function initialState(history: Float64Array, period: number, seasonality: Seasonality): InitialState {
  const mean = (from: number, to: number): number => {
    let sum = 0;
    let n = 0;
    for (let i = from; i < Math.min(to, history.length); i++) {
      const v = history[i];
      if (isObserved(v)) {
        sum += v;
        n++;
      }
    }
    return n > 0 ? sum / n : Number.NaN;
  };
  const span = Math.max(period, Math.min(history.length, 4));
  const first = mean(0, span);
  const level = Number.isNaN(first) ? 0 : first;
  // A trend guessed from two seasons is mostly noise on demand series; the filter learns it.
  const trend = 0;
  const seasonal = new Float64Array(period).fill(seasonality === 'multiplicative' ? 1 : 0);
  if (seasonality !== 'none' && period > 1) {
    const seasons = Math.max(1, Math.min(2, Math.floor(history.length / period)));
    for (let j = 0; j < period; j++) {
      let sum = 0;
      let n = 0;
      for (let k = 0; k < seasons; k++) {
        const v = history[k * period + j];
        const seasonMean = mean(k * period, (k + 1) * period);
        if (!isObserved(v) || Number.isNaN(seasonMean)) continue;
        sum += seasonality === 'additive' ? v - seasonMean : v / Math.max(seasonMean, 1e-9);
        n++;
      }
      if (n > 0) seasonal[j] = sum / n;
    }
  }
  return { level, trend, seasonal };
}

class HoltWintersState implements FittedForecaster {
  private level: number;
  private trend: number;
  private readonly seasonal: Float64Array;
  private position = 0;

  constructor(
    readonly parameters: HoltWintersParameters,
    private readonly seasonality: Seasonality,
    init: InitialState,
  ) {
    this.level = init.level;
    this.trend = init.trend;
    this.seasonal = Float64Array.from(init.seasonal);
  }

  /** Filters the values through the state; returns the sum of squared one-step errors. */
  run(values: Float64Array): number {
    let sse = 0;
    for (const value of values) {
      const error = this.step(value);
      sse += error * error;
    }
    return sse;
  }

  update(value: number): void {
    this.step(value);
  }

  private step(value: number): number {
    const { alpha, beta, gamma, phi } = this.parameters;
    const period = this.seasonal.length;
    const phase = this.position % period;
    const season = this.seasonal[phase] ?? 0;
    const base = this.level + phi * this.trend;
    const multiplicative = this.seasonality === 'multiplicative';
    const predicted = multiplicative ? base * season : base + season;
    this.position++;
    if (phase === period - 1) this.normaliseSeason();
    if (!isObserved(value)) {
      this.level = base;
      this.trend = phi * this.trend;
      return 0;
    }
    const error = value - predicted;
    if (multiplicative) {
      const s = Math.max(season, 1e-6);
      // A multiplicative level must stay positive and factors bounded, or one spike divides by ~0.
      const level = Math.max(base, 1e-3);
      this.level = Math.max(1e-3, base + (alpha * error) / s);
      this.trend = phi * this.trend + (beta * error) / s;
      this.seasonal[phase] = Math.min(1e3, Math.max(1e-3, season + (gamma * error) / level));
    } else {
      this.level = base + alpha * error;
      this.trend = phi * this.trend + beta * error;
      if (this.seasonality === 'additive') this.seasonal[phase] = season + gamma * error;
    }
    return error;
  }

  /**
   * Once a season, recentres the seasonal terms (mean 0, or 1 when multiplicative) and moves the
   * difference into the level: without it, level and season drift apart until one explodes.
   */
  private normaliseSeason(): void {
    if (this.seasonality === 'none' || this.seasonal.length < 2) return;
    let sum = 0;
    for (const s of this.seasonal) sum += s;
    const mean = sum / this.seasonal.length;
    if (this.seasonality === 'additive') {
      for (let j = 0; j < this.seasonal.length; j++) this.seasonal[j] = (this.seasonal[j] ?? 0) - mean;
      this.level += mean;
    } else if (mean > 0) {
      for (let j = 0; j < this.seasonal.length; j++) this.seasonal[j] = (this.seasonal[j] ?? 1) / mean;
      this.level *= mean;
      this.trend *= mean;
    }
  }

  forecast(horizon: number): Float64Array {
    const { phi } = this.parameters;
    const period = this.seasonal.length;
    const out = new Float64Array(horizon);
    let damping = 0;
    for (let h = 1; h <= horizon; h++) {
      damping += phi ** h;
      const base = this.level + damping * this.trend;
      const season = this.seasonal[(this.position + h - 1) % period] ?? 0;
      const value = this.seasonality === 'multiplicative' ? base * season : base + season;
      out[h - 1] = Math.max(0, value);
    }
    return out;
  }
}
