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
  setLastPublished,
  spreadNext,
  updateSlot,
} from './models/onlineEnsemble.js';
import { RunningAccuracy } from './runningAccuracy.js';
import { SeriesSlots } from './seriesSlots.js';

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
  /** A window this many times above the model's expectation is a flash crowd. */
  readonly surgeRatio?: number;
  /** ...and this many of the model's running errors (RMS) above it (default 4)... */
  readonly surgeSigmas?: number;
  /** ...and has at least this many queries (default 5). */
  readonly surgeMinCount?: number;
}

/**
 * Keeps a compact online model ensemble per (resource, cluster) and turns closed windows into
 * forecasts. A sudden rise far above what the model expected is flagged as a flash crowd and
 * forecast at least at the observed rate, because a smoothed model would otherwise lag the crowd
 * by several windows.
 */
export class SeriesForecaster {
  private readonly slots = new SeriesSlots(ONLINE_STRIDE);
  private readonly accuracy = new RunningAccuracy();

  constructor(private readonly options: SeriesForecasterOptions) {}

  /** Returns a forecast when it changed materially since the last one published for the series. */
  observe(window: ClosedWindow, nowMs: number): SeriesForecast | undefined {
    const { at, created } = this.slots.locate(`${window.cluster}\u0000${window.resource}`);
    const state = this.slots.state;
    if (created) initSlot(state, at);
    const expected = expectedNext(state, at);
    const spread = spreadNext(state, at);
    const row = at / ONLINE_STRIDE;
    if (created) this.accuracy.reset(row);
    else if (observations(state, at) > 0) {
      this.accuracy.record(row, currentModel(state, at), {
        actual: window.count,
        mean: expected,
        p90: expected + Z90 * spread,
        previous: lastValue(state, at),
      });
    }
    updateSlot(state, at, window.count);
    // A rise both large relative to the expectation and unusual for this series' own noise: bursty
    // series swing threefold routinely, quiet ones never do.
    const surge =
      window.count >= (this.options.surgeMinCount ?? 5) &&
      window.count > (this.options.surgeRatio ?? 3) * Math.max(expected, 1) &&
      window.count > expected + (this.options.surgeSigmas ?? 4) * spread;
    const nextStart = window.windowStartMs + window.windowMs;
    const floor = surge ? window.count : 0;
    const steps = forecastSlot(state, at, this.options.horizonSteps).map((point, i) => ({
      tsMs: nextStart + i * window.windowMs,
      mean: Math.max(point.mean, floor),
      p50: Math.max(point.p50, floor),
      p90: Math.max(point.p90, floor),
    }));
    const mean = steps[0]?.mean ?? 0;
    const last = lastPublished(state, at);
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
      model: currentModel(state, at),
      observed: window.count,
      flashCrowd: surge,
      steps,
    };
  }

  /** The model's expected count for the series' next window; undefined for a series never seen. */
  baseline(resource: string, cluster: string): number | undefined {
    const at = this.slots.find(`${cluster}\u0000${resource}`);
    return at === undefined ? undefined : expectedNext(this.slots.state, at);
  }

  /** One-step-ahead accuracy of the series' forecasts so far; undefined for a series never seen. */
  seriesAccuracy(resource: string, cluster: string): Accuracy | undefined {
    const at = this.slots.find(`${cluster}\u0000${resource}`);
    return at === undefined ? undefined : this.accuracy.ofRow(at / ONLINE_STRIDE);
  }

  /** One-step-ahead accuracy over all series, by the model in charge when each forecast was made. */
  accuracyByModel(): Map<string, Accuracy> {
    return this.accuracy.byModel();
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
