import { SeriesForecaster, WindowCounter, type SeriesForecast } from '@pdme/forecaster';
import type { Trace } from './trace.js';

export interface ForecastFeedOptions {
  readonly windowMs: number;
  readonly horizonSteps: number;
  readonly minChange: number;
}

/**
 * The forecaster service's pure core (WindowCounter + SeriesForecaster) fed in process: requests
 * go in as events, and each window boundary closes windows and yields the forecasts the service
 * would publish. Keeps the latest forecast per (cluster, object), as decision reads it from Redis.
 */
export class ForecastFeed {
  private readonly counter: WindowCounter;
  private readonly forecaster: SeriesForecaster;
  readonly latest: Map<number, SeriesForecast>[];

  constructor(
    private readonly trace: Trace,
    options: ForecastFeedOptions,
  ) {
    this.counter = new WindowCounter({ windowMs: options.windowMs, allowedLatenessMs: 0 });
    this.forecaster = new SeriesForecaster({
      horizonSteps: options.horizonSteps,
      minChange: options.minChange,
      minAbsoluteChange: 0,
    });
    this.latest = trace.clusterNames.map(() => new Map<number, SeriesForecast>());
  }

  add(index: number): void {
    this.counter.add({
      eventId: String(index),
      tsMs: this.trace.tsMs[index] ?? 0,
      resource: String(this.trace.object[index] ?? 0),
      cluster: String(this.trace.cluster[index] ?? 0),
    });
  }

  /** Closes windows ending by `boundaryMs`; returns the forecasts published, per cluster. */
  close(boundaryMs: number): SeriesForecast[][] {
    const published: SeriesForecast[][] = this.trace.clusterNames.map(() => []);
    for (const window of this.counter.closeUpTo(boundaryMs)) {
      const forecast = this.forecaster.observe(window, window.windowStartMs + window.windowMs);
      if (forecast === undefined) continue;
      const cluster = Number(forecast.cluster);
      published[cluster]?.push(forecast);
      this.latest[cluster]?.set(Number(forecast.resource), forecast);
    }
    return published;
  }
}
