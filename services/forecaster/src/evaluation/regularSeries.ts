import { PdmeError } from '@pdme/common/errors';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

/** Values on a regular time grid; NaN where the source had no row (a gap). */
export interface RegularSeries {
  readonly name: string;
  readonly startMs: number;
  readonly stepMs: number;
  readonly values: Float64Array;
}

/**
 * Parses the evaluation format: a CSV with header `ts,value`, one row per observation, `ts` in ISO
 * 8601 or seconds since the epoch, a number (or nothing, for missing) as `value`. Rows may come in
 * any order and have gaps; the step is inferred and rows are placed on that grid.
 */
export function parseSeriesCsv(text: string, name: string): RegularSeries {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase().replace(/^"|"$/g, ''));
  if (header[0] !== 'ts' || header[1] !== 'value') {
    throw new PdmeError('BAD_INPUT', `${name}: the header must be "ts,value"`, {
      details: { file: name, header: lines[0] },
    });
  }
  const points: { tsMs: number; value: number }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const [tsText = '', valueText = ''] = (lines[i] ?? '')
      .split(',')
      .map((cell) => cell.trim().replace(/^"|"$/g, ''));
    const tsMs = parseTimestamp(tsText);
    const value = valueText === '' ? Number.NaN : Number(valueText);
    if (Number.isNaN(tsMs) || (valueText !== '' && !Number.isFinite(value))) {
      throw new PdmeError('BAD_INPUT', `${name}:${i + 1}: cannot read "${lines[i] ?? ''}"`, {
        details: { file: name, line: i + 1 },
      });
    }
    points.push({ tsMs, value });
  }
  if (points.length < 3)
    throw new PdmeError('BAD_INPUT', `${name}: needs at least 3 rows`, { details: { file: name } });
  points.sort((a, b) => a.tsMs - b.tsMs);
  const stepMs = inferStepMs(points.map((p) => p.tsMs));
  const startMs = points[0]?.tsMs ?? 0;
  const last = points[points.length - 1]?.tsMs ?? startMs;
  const values = new Float64Array(Math.round((last - startMs) / stepMs) + 1).fill(Number.NaN);
  for (const { tsMs, value } of points) values[Math.round((tsMs - startMs) / stepMs)] = value; // a repeated slot keeps the later row
  return { name, startMs, stepMs, values };
}

/** ISO 8601 (a zone-less time is read as UTC) or seconds since the epoch. */
export function parseTimestamp(text: string): number {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(text) || !/T|\d \d/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(iso.replace(/^(\d{4}-\d\d-\d\d) /, '$1T'));
  return Number.isFinite(ms) ? ms : Number.NaN;
}

/** The most common gap between consecutive timestamps (robust to the odd missing row). */
export function inferStepMs(sortedTsMs: readonly number[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < sortedTsMs.length; i++) {
    const gap = (sortedTsMs[i] ?? 0) - (sortedTsMs[i - 1] ?? 0);
    if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [gap, count] of counts) {
    if (count > bestCount || (count === bestCount && gap < best)) {
      best = gap;
      bestCount = count;
    }
  }
  if (best <= 0) throw new PdmeError('BAD_INPUT', 'cannot infer the step: timestamps are all equal');
  return best;
}

/** The season matching a step: a day of sub-daily steps (5 min → 288, hourly → 24), a week of days. */
export function seasonForStep(stepMs: number): number {
  if (stepMs < DAY_MS && DAY_MS % stepMs === 0) return DAY_MS / stepMs;
  if (stepMs === DAY_MS) return 7;
  if (stepMs === WEEK_MS) return 52;
  return 1;
}

/** The evaluation horizon: a week of days, a day of hours, an hour of 5-minute steps, else 12 steps. */
export function horizonForStep(stepMs: number): number {
  if (stepMs === DAY_MS) return 7;
  if (stepMs === HOUR_MS) return 24;
  return 12;
}
