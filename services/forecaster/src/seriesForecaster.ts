import type { AccuracyTotals, SeriesAccuracyTotals } from '@pdme/common/stats-reports';
import type { ClosedWindow } from './windowCounter.js';
import type { Accuracy } from './evaluation/accuracy.js';
import { Z90, type ForecastPoint } from './models/model.js';
import {
  currentModel,
  expectedNext,
  forecastSlot,
  initSlot,
  lastPublished,
  lastValue,
  observations,
  ONLINE_STRIDE,
  pooledFeatures,
  setLastPublished,
  spreadNext,
  updateSlot,
} from './models/onlineEnsemble.js';
import { PooledOnlineModel } from './models/pooledOnline.js';
import { RunningAccuracy } from './runningAccuracy.js';
import { SeriesSlots } from './seriesSlots.js';
import { DEFAULT_SURGE, initSurge, observeSurge, SURGE_STRIDE, type SurgeSettings } from './surgeDetector.js';
import { SERIES_END_MODEL } from '@pdme/common/messages';

/** Series are ranked for the stats by their volume halving every this many windows. */
const RECENT_HALF_LIFE_WINDOWS = 12;

/** One series' row: the online ensemble, then the surge detector. */
const STRIDE = ONLINE_STRIDE + SURGE_STRIDE;

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
  /** Publish only when the next-window mean moves by more than this fraction... */
  readonly minChange: number;
  /**
   * ...and by more than this many requests (default 1): it keeps Kafka quiet for the long tail.
   * In-process replays (the simulator) set 0, since every small change costs nothing there.
   */
  readonly minAbsoluteChange?: number;
  /**
   * Series with fewer windows than this are forecast by the pooled global model, once it has learnt
   * from `pooledMinSamples` windows (default 200) of sparse series. Default 0 (off): on the real
   * traces of `bench/forecaster/pooledSparse.ts` it forecasts sparse series worse than their own
   * online models do.
   */
  readonly pooledSparseWindows?: number;
  readonly pooledMinSamples?: number;
  /** Flash-crowd detection settings (`surgeDetector.ts`); defaults in DEFAULT_SURGE. */
  readonly surge?: Partial<SurgeSettings>;
}

/**
 * Keeps a compact online model ensemble per (resource, cluster) and turns closed windows into
 * forecasts. A rise well above the series' baseline, sustained or extreme, is flagged as a flash
 * crowd and forecast at least at the observed rate, because a smoothed model would otherwise lag
 * the crowd by several windows.
 */
export class SeriesForecaster {
  private readonly slots = new SeriesSlots(STRIDE);
  private readonly accuracy = new RunningAccuracy();
  private readonly surge: SurgeSettings;
  private readonly pooled = new PooledOnlineModel();
  private recentHalfLifeMs = 60_000;

  constructor(private readonly options: SeriesForecasterOptions) {
    this.surge = { ...DEFAULT_SURGE, ...options.surge };
  }

  /** Returns a forecast when it changed materially since the last one published for the series. */
  observe(window: ClosedWindow, nowMs: number): SeriesForecast | undefined {
    const { at, created } = this.slots.locate(`${window.cluster}\u0000${window.resource}`);
    const state = this.slots.state;
    if (created) {
      initSlot(state, at);
      initSurge(state, at + ONLINE_STRIDE);
    }
    const seen = observations(state, at);
    const { model: forecastModel, mean: expected } = this.oneStep(at);
    const spread = spreadNext(state, at);
    const row = at / STRIDE;
    if (created) this.accuracy.reset(row);
    else if (seen > 0) {
      this.accuracy.record(row, forecastModel, {
        actual: window.count,
        mean: expected,
        p90: expected + Z90 * spread,
        previous: lastValue(state, at),
      });
    }
    this.accuracy.addVolume(
      row,
      window.count,
      window.windowStartMs,
      RECENT_HALF_LIFE_WINDOWS * window.windowMs,
    );
    this.recentHalfLifeMs = RECENT_HALF_LIFE_WINDOWS * window.windowMs;
    const surge = observeSurge(state, at + ONLINE_STRIDE, window.count, seen, this.surge);
    // It learns from sparse series only: their dynamics (mostly ones and gaps) are not the busy ones'.
    if (seen > 0 && seen < (this.options.pooledSparseWindows ?? 0))
      this.pooled.learn(pooledFeatures(state, at), window.count);
    updateSlot(state, at, window.count);
    const nextStart = window.windowStartMs + window.windowMs;
    const floor = surge ? window.count : 0;
    const { model, points } = this.forecastOf(at, this.options.horizonSteps);
    const steps = points.map((point, i) => ({
      tsMs: nextStart + i * window.windowMs,
      mean: Math.max(point.mean, floor),
      p50: Math.max(point.p50, floor),
      p90: Math.max(point.p90, floor),
    }));
    const last = lastPublished(state, at);
    if (window.seriesEnd === true) {
      // Idle long enough to be forgotten: a last forecast of zero, or a mirror placed on a forecast
      // that never moved enough to be republished would outlive its demand.
      this.forget(window.resource, window.cluster);
      if (last === undefined || last === 0) return undefined;
      return {
        resource: window.resource,
        cluster: window.cluster,
        issuedMs: nowMs,
        windowMs: window.windowMs,
        model: SERIES_END_MODEL,
        observed: window.count,
        flashCrowd: false,
        steps: steps.map((step) => ({ ...step, mean: 0, p50: 0, p90: 0 })),
      };
    }
    const mean = steps[0]?.mean ?? 0;
    const changed =
      last === undefined ||
      surge ||
      Math.abs(mean - last) >
        Math.max(this.options.minAbsoluteChange ?? 1, this.options.minChange * Math.max(last, 1));
    if (!changed) return undefined;
    setLastPublished(state, at, mean);
    return {
      resource: window.resource,
      cluster: window.cluster,
      issuedMs: nowMs,
      windowMs: window.windowMs,
      model,
      observed: window.count,
      flashCrowd: surge,
      steps,
    };
  }

  /** The model's expected count for the series' next window; undefined for a series never seen. */
  baseline(resource: string, cluster: string): number | undefined {
    const at = this.slots.find(`${cluster}\u0000${resource}`);
    return at === undefined ? undefined : this.oneStep(at).mean;
  }

  /** Whether the series at `at` is sparse enough, and the pooled model trained enough, to use it. */
  private pooledInCharge(at: number): boolean {
    const seen = observations(this.slots.state, at);
    return (
      seen > 0 &&
      seen < (this.options.pooledSparseWindows ?? 0) &&
      this.pooled.trained >= (this.options.pooledMinSamples ?? 200)
    );
  }

  /** The next window's expected count and the model in charge of it. */
  private oneStep(at: number): { model: string; mean: number } {
    const state = this.slots.state;
    if (!this.pooledInCharge(at)) return { model: currentModel(state, at), mean: expectedNext(state, at) };
    return { model: 'pooled-global', mean: this.pooled.forecast(pooledFeatures(state, at), 1)[0] ?? 0 };
  }

  /** The forecast in charge; the pooled one keeps the ensemble's interval width (its running error). */
  private forecastOf(at: number, horizon: number): { model: string; points: ForecastPoint[] } {
    const state = this.slots.state;
    const own = forecastSlot(state, at, horizon);
    if (!this.pooledInCharge(at)) return { model: currentModel(state, at), points: own };
    const means = this.pooled.forecast(pooledFeatures(state, at), horizon);
    return {
      model: 'pooled-global',
      points: own.map((point, i) => {
        const mean = means[i] ?? point.mean;
        return { mean, p50: mean, p90: mean + (point.p90 - point.mean) };
      }),
    };
  }

  /** One-step-ahead accuracy of the series' forecasts so far; undefined for a series never seen. */
  seriesAccuracy(resource: string, cluster: string): Accuracy | undefined {
    const at = this.slots.find(`${cluster}\u0000${resource}`);
    return at === undefined ? undefined : this.accuracy.ofRow(at / STRIDE);
  }

  /** One-step-ahead accuracy over all series, by the model in charge when each forecast was made. */
  accuracyByModel(): Map<string, Accuracy> {
    return this.accuracy.byModel();
  }

  /** Running accuracy totals per model in charge, summable across instances. */
  accuracyTotalsByModel(): Map<string, AccuracyTotals> {
    return this.accuracy.totalsByModel();
  }

  /**
   * The `n` series busiest lately (volume halving every 12 windows, as of `nowMs`) with their
   * accuracy totals, busiest first. One pass over the rows keeping the top `n` in a sorted array:
   * cheap for small `n` even with a million series.
   */
  topSeriesAccuracy(n: number, nowMs: number): SeriesAccuracyTotals[] {
    const top: { volume: number; key: string; at: number }[] = [];
    for (const [key, at] of this.slots.entries()) {
      const volume = this.accuracy.recentVolume(at / STRIDE, nowMs, this.recentHalfLifeMs);
      if (volume <= 0 || (top.length >= n && volume <= (top[top.length - 1]?.volume ?? 0))) continue;
      let i = top.length;
      while (i > 0 && (top[i - 1]?.volume ?? 0) < volume) i--;
      top.splice(i, 0, { volume, key, at });
      if (top.length > n) top.pop();
    }
    return top.map(({ key, at, volume }) => {
      const split = key.indexOf('\u0000');
      return {
        cluster: key.slice(0, split),
        resource: key.slice(split + 1),
        model: currentModel(this.slots.state, at),
        recentVolume: volume,
        ...this.accuracy.totalsOfRow(at / STRIDE),
      };
    });
  }

  /** Every (resource, cluster) with model state. */
  *knownSeries(): Generator<{ resource: string; cluster: string }> {
    for (const key of this.slots.keys()) {
      const split = key.indexOf('\u0000');
      yield { cluster: key.slice(0, split), resource: key.slice(split + 1) };
    }
  }

  forget(resource: string, cluster: string): void {
    this.slots.delete(`${cluster}\u0000${resource}`);
  }

  get seriesCount(): number {
    return this.slots.size;
  }
}
