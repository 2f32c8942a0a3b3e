import { PdmeError } from '@pdme/common/errors';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `10m`, `30s`, `1h`, `500ms` (a bare number is seconds) into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const unit = UNITS[match?.[2] ?? 's'];
  const value = Number(match?.[1]);
  if (match === null || unit === undefined || !(value > 0)) {
    throw new PdmeError('BAD_INPUT', `expected a duration such as 10m, 30s or 1h, got ${text}`);
  }
  return value * unit;
}
