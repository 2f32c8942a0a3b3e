/**
 * Timestamps as log files write them. Each returns epoch milliseconds, or undefined for anything
 * that is not a real calendar time (no Date rollover: 31-Feb is rejected, not March 3rd).
 */

/** BIND writes its query log in the server's local time unless `print-time iso8601-utc` is set. */
export type LogTimeZone = 'utc' | 'local';

const MONTHS = new Map([
  ['Jan', 0],
  ['Feb', 1],
  ['Mar', 2],
  ['Apr', 3],
  ['May', 4],
  ['Jun', 5],
  ['Jul', 6],
  ['Aug', 7],
  ['Sep', 8],
  ['Oct', 9],
  ['Nov', 10],
  ['Dec', 11],
]);

interface Fields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly ms: number;
}

function toEpoch(f: Fields, zone: LogTimeZone, offsetMinutes = 0): number | undefined {
  if (f.month < 0 || f.month > 11 || f.day < 1 || f.hour > 23 || f.minute > 59 || f.second > 60) {
    return undefined;
  }
  const second = Math.min(f.second, 59); // a leap second is logged as :60; count it in :59
  const date =
    zone === 'utc'
      ? new Date(Date.UTC(f.year, f.month, f.day, f.hour, f.minute, second, f.ms))
      : new Date(f.year, f.month, f.day, f.hour, f.minute, second, f.ms);
  const day = zone === 'utc' ? date.getUTCDate() : date.getDate();
  if (Number.isNaN(date.getTime()) || day !== f.day) return undefined;
  return date.getTime() - offsetMinutes * 60_000;
}

function fraction(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  return Number(`${text}00`.slice(0, 3));
}

const BIND_TIME = /^(\d{2})-([A-Z][a-z]{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** `24-Mar-2018 17:15:20.865` (BIND's default print-time) in the given zone. */
export function parseBindTime(text: string, zone: LogTimeZone): number | undefined {
  const m = BIND_TIME.exec(text);
  if (m === null) return undefined;
  const month = MONTHS.get(m[2] ?? '');
  if (month === undefined) return undefined;
  return toEpoch(
    {
      year: Number(m[3]),
      month,
      day: Number(m[1]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6]),
      ms: fraction(m[7]),
    },
    zone,
  );
}

/** ISO 8601 (`print-time iso8601` / `iso8601-utc`); an explicit offset or Z wins over the zone. */
export function parseIsoTime(text: string, zone: LogTimeZone): number | undefined {
  const m = ISO_TIME.exec(text);
  if (m === null) return undefined;
  const offset = m[8];
  const fields: Fields = {
    year: Number(m[1]),
    month: Number(m[2]) - 1,
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
    ms: fraction(m[7]),
  };
  if (offset === undefined) return toEpoch(fields, zone);
  return toEpoch(fields, 'utc', offsetMinutesOf(offset));
}

function offsetMinutesOf(offset: string): number {
  if (offset === 'Z') return 0;
  const digits = offset.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

const NGINX_TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})$/;

/** nginx `$time_local`: `10/Oct/2000:13:55:36 -0700`. */
export function parseNginxTime(text: string): number | undefined {
  const m = NGINX_TIME.exec(text);
  if (m === null) return undefined;
  const month = MONTHS.get(m[2] ?? '');
  if (month === undefined) return undefined;
  return toEpoch(
    {
      year: Number(m[3]),
      month,
      day: Number(m[1]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6]),
      ms: 0,
    },
    'utc',
    offsetMinutesOf(m[7] ?? '+0000'),
  );
}

/** Plausible event times: 1990 to 2100. Anything else is a unit mix-up or garbage. */
const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

/**
 * Epoch seconds (Zeek `ts`, nginx `$msec`, JSON `ts`); a number of 1e11 or more is taken as
 * milliseconds (1e11 seconds is the year 5138), so both common JSON conventions work.
 */
export function epochNumberToMs(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const ms = Math.round(value >= 1e11 ? value : value * 1000);
  return ms >= MIN_MS && ms < MAX_MS ? ms : undefined;
}

export function plausibleMs(ms: number | undefined): number | undefined {
  return ms !== undefined && ms >= MIN_MS && ms < MAX_MS ? ms : undefined;
}
