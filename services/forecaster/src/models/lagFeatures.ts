import type { SeriesContext } from './model.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const YEAR_MS = 365.25 * DAY_MS;

export interface FeatureSpec {
  /** Lags (in steps) of the working value; the largest bounds how far back a row reads. */
  readonly lags: readonly number[];
  /** Also the mean of the last `levelWindow` values (0 for none): a slow level. */
  readonly levelWindow: number;
  /** Calendar periods (ms) with their number of Fourier harmonics. */
  readonly fourier: readonly { readonly periodMs: number; readonly harmonics: number }[];
  readonly events: boolean;
}

/**
 * Lags of the season, a few recent steps, a slow level, and calendar harmonics longer than the
 * step (daily, weekly, yearly when there is history enough to learn them). General, not tuned.
 */
export function defaultFeatureSpec(
  context: SeriesContext,
  historyLength: number,
  calendar: boolean,
): FeatureSpec {
  const season = Math.max(1, context.season);
  const lags = [
    ...new Set([1, 2, 3, season, 2 * season].filter((l) => l >= 1 && l * 3 < historyLength)),
  ].sort((a, b) => a - b);
  const spanMs = historyLength * context.stepMs;
  const fourier = calendar
    ? [
        { periodMs: DAY_MS, harmonics: 4 },
        { periodMs: WEEK_MS, harmonics: 3 },
        { periodMs: YEAR_MS, harmonics: 4 },
      ].filter((f) => f.periodMs >= 2 * context.stepMs * 2 && spanMs >= 2 * f.periodMs)
    : [];
  return { lags, levelWindow: season > 1 ? season : 0, fourier, events: context.events !== undefined };
}

export function featureCount(spec: FeatureSpec): number {
  return (
    spec.lags.length +
    (spec.levelWindow > 0 ? 1 : 0) +
    spec.fourier.reduce((n, f) => n + 2 * f.harmonics, 0) +
    (spec.events ? 1 : 0)
  );
}

export function maxLag(spec: FeatureSpec): number {
  return Math.max(1, spec.levelWindow, ...spec.lags);
}

/**
 * The feature row predicting index `t` from `values` (values[i] for i < t must be set; NaN makes
 * the row unusable). Returns undefined when a needed value is missing.
 */
export function featureRow(
  spec: FeatureSpec,
  values: ArrayLike<number>,
  t: number,
  context: SeriesContext,
): number[] | undefined {
  const row: number[] = [];
  for (const lag of spec.lags) {
    const v = values[t - lag];
    if (v === undefined || Number.isNaN(v)) return undefined;
    row.push(v);
  }
  if (spec.levelWindow > 0) {
    let sum = 0;
    let n = 0;
    for (let i = t - spec.levelWindow; i < t; i++) {
      const v = values[i];
      if (v !== undefined && !Number.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    if (n === 0) return undefined;
    row.push(sum / n);
  }
  const tsMs = context.startMs + t * context.stepMs;
  for (const { periodMs, harmonics } of spec.fourier) {
    const phase = (2 * Math.PI * (tsMs % periodMs)) / periodMs;
    for (let k = 1; k <= harmonics; k++) row.push(Math.sin(k * phase), Math.cos(k * phase));
  }
  if (spec.events) row.push(context.events?.[t] ?? 0);
  return row;
}
