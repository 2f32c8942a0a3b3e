import type { FittedForecaster, ForecastModel, SeriesContext } from './model.js';

/**
 * The median, step by step, of several models' forecasts. Combining is the most reliable gain in
 * forecasting practice (M3/M4): each member's errors partly cancel, and a median ignores one that
 * goes astray. Members that need more history than there is are left out.
 */
export function combination(members: readonly ForecastModel[], name = 'combination'): ForecastModel {
  const usable = (context: SeriesContext, length: number) =>
    members.filter((m) => m.minHistory(context) <= length);
  return {
    name,
    minHistory: (context) => Math.min(...members.map((m) => m.minHistory(context))),
    fit: (history, context) =>
      new CombinedForecaster(usable(context, history.length).map((m) => m.fit(history, context))),
  };
}

class CombinedForecaster implements FittedForecaster {
  constructor(private readonly members: readonly FittedForecaster[]) {}

  update(value: number): void {
    for (const member of this.members) member.update(value);
  }

  forecast(horizon: number): Float64Array {
    const forecasts = this.members.map((m) => m.forecast(horizon));
    const out = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) out[h] = median(forecasts.map((f) => f[h] ?? 0));
    return out;
  }
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
