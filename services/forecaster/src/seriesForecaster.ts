import type { ClosedWindow } from './windowCounter.js';
import { DampedHolt } from './models/dampedHolt.js';
import type { ForecastPoint } from './models/model.js';

export interface SeriesForecast {
  readonly resource: string;
  readonly cluster: string;
  readonly issuedMs: number;
  readonly windowMs: number;
  readonly model: string;
  readonly observed: number;
  readonly flashCrowd: boolean;
  readonly steps: readonly (ForecastPoint & { tsMs: number })[];
}

export interface SeriesForecasterOptions {
  readonly horizonSteps: number;
  /** Publish only when the next-window mean moves by more than this fraction (or by 1). */
  readonly minChange: number;
  /** A window this many times above the model's expectation is a flash crowd. */
  readonly surgeRatio?: number;
}

interface SeriesState {
  readonly model: DampedHolt;
  lastPublishedMean: number | undefined;
}

/**
 * Keeps one online model per (resource, cluster) and turns closed windows into forecasts. A sudden
 * rise far above what the model expected is flagged as a flash crowd and forecast at least at the
 * observed rate, because a smoothed model would otherwise lag the crowd by several windows.
 */
export class SeriesForecaster {
  private readonly series = new Map<string, SeriesState>();

  constructor(private readonly options: SeriesForecasterOptions) {}

  /** Returns a forecast when it changed materially since the last one published for the series. */
  observe(window: ClosedWindow, nowMs: number): SeriesForecast | undefined {
    const key = `${window.cluster}\u0000${window.resource}`;
    let state = this.series.get(key);
    if (state === undefined) {
      state = { model: new DampedHolt(), lastPublishedMean: undefined };
      this.series.set(key, state);
    }
    const expected = state.model.count > 0 ? (state.model.forecast(1)[0]?.mean ?? 0) : 0;
    state.model.update(window.count);
    const surge = window.count >= 5 && window.count > (this.options.surgeRatio ?? 3) * Math.max(expected, 1);
    const nextStart = window.windowStartMs + window.windowMs;
    const steps = state.model.forecast(this.options.horizonSteps).map((point, i) => {
      const floor = surge ? window.count : 0;
      return {
        tsMs: nextStart + i * window.windowMs,
        mean: Math.max(point.mean, floor),
        p50: Math.max(point.p50, floor),
        p90: Math.max(point.p90, floor),
      };
    });
    const mean = steps[0]?.mean ?? 0;
    const last = state.lastPublishedMean;
    const changed =
      last === undefined ||
      surge ||
      Math.abs(mean - last) > Math.max(1, this.options.minChange * Math.max(last, 1));
    if (!changed) return undefined;
    state.lastPublishedMean = mean;
    return {
      resource: window.resource,
      cluster: window.cluster,
      issuedMs: nowMs,
      windowMs: window.windowMs,
      model: state.model.name,
      observed: window.count,
      flashCrowd: surge,
      steps,
    };
  }

  forget(resource: string, cluster: string): void {
    this.series.delete(`${cluster}\u0000${resource}`);
  }

  get seriesCount(): number {
    return this.series.size;
  }
}
