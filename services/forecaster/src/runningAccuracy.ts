import type { AccuracyTotals } from '@pdme/common/stats-reports';
import type { Accuracy } from './evaluation/accuracy.js';

const ABS_ERROR = 0;
const ABS_ACTUAL = 1;
const NAIVE_ERROR = 2;
const COVERED = 3;
const POINTS = 4;
const FIELDS = 5;

function toTotals(totals: ArrayLike<number>, at = 0): AccuracyTotals {
  return {
    absError: totals[at + ABS_ERROR] ?? 0,
    absActual: totals[at + ABS_ACTUAL] ?? 0,
    naiveError: totals[at + NAIVE_ERROR] ?? 0,
    covered: totals[at + COVERED] ?? 0,
    points: totals[at + POINTS] ?? 0,
  };
}

/** Totals -> accuracy. MASE is scaled by the last-value (naive) error over the same windows. */
function toAccuracy(totals: ArrayLike<number>, at = 0): Accuracy {
  const points = totals[at + POINTS] ?? 0;
  const absError = totals[at + ABS_ERROR] ?? 0;
  const naive = totals[at + NAIVE_ERROR] ?? 0;
  const actual = totals[at + ABS_ACTUAL] ?? 0;
  return {
    mase: naive > 0 ? absError / naive : Number.NaN,
    wape: actual > 0 ? absError / actual : Number.NaN,
    coverage90: points > 0 ? (totals[at + COVERED] ?? 0) / points : Number.NaN,
    points,
  };
}

/**
 * One-step-ahead accuracy of live forecasts, kept as running totals per series row (five numbers,
 * in one growing array, like the model state) and per model in charge when the forecast was made.
 * A streaming series has no training part, so MASE is scaled by the naive (last value) forecast's
 * error over the same windows: below 1 beats "next window = this window".
 */
export class RunningAccuracy {
  private rows = new Float64Array(FIELDS * 1024);
  /** Per row: queries with exponential decay, and when they were last added (ranks busy series). */
  private recent = new Float64Array(2 * 1024);
  private readonly models = new Map<string, Float64Array>();

  reset(row: number): void {
    this.ensure(row);
    this.rows.fill(0, row * FIELDS, (row + 1) * FIELDS);
    this.recent.fill(0, 2 * row, 2 * row + 2);
  }

  /** Adds a window's count to the row's recent volume, which halves every `halfLifeMs`. */
  addVolume(row: number, count: number, atMs: number, halfLifeMs: number): void {
    this.ensure(row);
    this.recent[2 * row] = this.recentVolume(row, atMs, halfLifeMs) + count;
    this.recent[2 * row + 1] = atMs;
  }

  /** The row's recent volume as of `nowMs`. */
  recentVolume(row: number, nowMs: number, halfLifeMs: number): number {
    const volume = this.recent[2 * row] ?? 0;
    const atMs = this.recent[2 * row + 1] ?? 0;
    return volume === 0 ? 0 : volume * 0.5 ** (Math.max(0, nowMs - atMs) / halfLifeMs);
  }

  record(
    row: number,
    model: string,
    observed: { actual: number; mean: number; p90: number; previous: number },
  ): void {
    this.ensure(row);
    let totals = this.models.get(model);
    if (totals === undefined) {
      totals = new Float64Array(FIELDS);
      this.models.set(model, totals);
    }
    const { actual, mean, p90, previous } = observed;
    for (const [target, at] of [
      [this.rows, row * FIELDS],
      [totals, 0],
    ] as const) {
      target[at + ABS_ERROR] = (target[at + ABS_ERROR] ?? 0) + Math.abs(actual - mean);
      target[at + ABS_ACTUAL] = (target[at + ABS_ACTUAL] ?? 0) + Math.abs(actual);
      target[at + NAIVE_ERROR] = (target[at + NAIVE_ERROR] ?? 0) + Math.abs(actual - previous);
      target[at + COVERED] = (target[at + COVERED] ?? 0) + (actual <= p90 ? 1 : 0);
      target[at + POINTS] = (target[at + POINTS] ?? 0) + 1;
    }
  }

  ofRow(row: number): Accuracy {
    return toAccuracy(this.rows, row * FIELDS);
  }

  /** The row's raw totals (summable across instances, unlike the ratios). */
  totalsOfRow(row: number): AccuracyTotals {
    return toTotals(this.rows, row * FIELDS);
  }

  totalsByModel(): Map<string, AccuracyTotals> {
    return new Map([...this.models].map(([model, totals]) => [model, toTotals(totals)]));
  }

  byModel(): Map<string, Accuracy> {
    return new Map([...this.models].map(([model, totals]) => [model, toAccuracy(totals)]));
  }

  private ensure(row: number): void {
    if ((row + 1) * FIELDS <= this.rows.length) return;
    const grown = new Float64Array(Math.max(this.rows.length * 2, (row + 1) * FIELDS));
    grown.set(this.rows);
    this.rows = grown;
    const recent = new Float64Array((grown.length / FIELDS) * 2);
    recent.set(this.recent);
    this.recent = recent;
  }
}
