import { isObserved, type FittedForecaster, type ForecastModel } from './model.js';

/**
 * Repeats the last observed value at the same phase of the season (the last value when the
 * season is 1): the baseline every other model must beat, and the MASE scale.
 */
export function seasonalNaive(options: { readonly seasonal?: boolean } = {}): ForecastModel {
  const seasonal = options.seasonal ?? true;
  return {
    name: seasonal ? 'seasonal-naive' : 'naive',
    minHistory: (context) => (seasonal ? context.season : 1),
    fit: (history, context) => new NaiveState(history, seasonal ? Math.max(1, context.season) : 1),
  };
}

class NaiveState implements FittedForecaster {
  /** Last observed value per phase of the season (ring indexed by absolute position). */
  private readonly last: Float64Array;
  private position = 0;
  private lastAny = 0;

  constructor(
    history: Float64Array,
    private readonly period: number,
  ) {
    this.last = new Float64Array(period).fill(Number.NaN);
    for (const value of history) this.update(value);
  }

  update(value: number): void {
    if (isObserved(value)) {
      this.last[this.position % this.period] = value;
      this.lastAny = value;
    }
    this.position++;
  }

  forecast(horizon: number): Float64Array {
    const out = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      const value = this.last[(this.position + h) % this.period];
      out[h] = Math.max(0, isObserved(value) ? value : this.lastAny);
    }
    return out;
  }
}
