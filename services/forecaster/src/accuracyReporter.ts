import type { Logger } from '@pdme/common/logging';
import type { Redis } from '@pdme/common/redis';
import { putFreshEntry, type AccuracyReport } from '@pdme/common/stats-reports';
import type { SeriesForecaster } from './seriesForecaster.js';

export interface AccuracyReporterOptions {
  readonly redis: Redis;
  /** The hash written (`REDIS_KEYS.forecastAccuracy`); this instance owns its own field. */
  readonly key: string;
  readonly instance: string;
  readonly forecaster: SeriesForecaster;
  readonly windowMs: number;
  readonly logger: Logger;
  /** Series listed in each report, by scored volume (bounds the Redis value). */
  readonly topSeries: number;
  readonly everyMs: number;
}

/** This instance's accuracy report: totals per model in charge and the series busiest lately. */
export function buildAccuracyReport(
  forecaster: SeriesForecaster,
  options: { instance: string; windowMs: number; topSeries: number; atMs: number; freshForMs: number },
): AccuracyReport {
  return {
    instance: options.instance,
    atMs: options.atMs,
    freshForMs: options.freshForMs,
    windowMs: options.windowMs,
    series: forecaster.seriesCount,
    byModel: [...forecaster.accuracyTotalsByModel()].map(([model, totals]) => ({ model, ...totals })),
    topSeries: forecaster.topSeriesAccuracy(options.topSeries, options.atMs),
  };
}

/**
 * Writes the forecaster's running accuracy to Redis every `everyMs`, for the gateway's stats: totals
 * rather than ratios, so the gateway can sum instances; stale for readers after three missed writes.
 */
export class AccuracyReporter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: AccuracyReporterOptions) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.running = this.running.then(() => this.report());
    }, this.options.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Best effort: a failed write is logged and retried at the next tick. */
  async report(nowMs = Date.now()): Promise<void> {
    const { redis, key, instance, forecaster, windowMs, topSeries, everyMs, logger } = this.options;
    const freshForMs = 3 * everyMs;
    try {
      const report = buildAccuracyReport(forecaster, {
        instance,
        windowMs,
        topSeries,
        atMs: nowMs,
        freshForMs,
      });
      await putFreshEntry(redis, key, { field: instance, value: report, atMs: nowMs, freshForMs });
    } catch (error) {
      logger.warn(
        { event: 'forecaster.stats.accuracy_report_failed', error: String(error) },
        'accuracy report not written',
      );
    }
  }
}
