import { describe, expect, it } from 'vitest';
import {
  horizonForStep,
  inferStepMs,
  parseSeriesCsv,
  parseTimestamp,
  seasonForStep,
} from './regularSeries.js';

describe('parseSeriesCsv', () => {
  it('reads ISO 8601 rows, infers a 5-minute step and leaves gaps as NaN', () => {
    const csv =
      'ts,value\n2014-04-10T00:04:00Z,94\n2014-04-10T00:09:00Z,56\n2014-04-10T00:19:00Z,7\n2014-04-10T00:24:00Z,8\n';
    const series = parseSeriesCsv(csv, 'elb');
    expect(series.stepMs).toBe(300_000);
    expect(series.startMs).toBe(Date.UTC(2014, 3, 10, 0, 4));
    expect(Array.from(series.values)).toEqual([94, 56, Number.NaN, 7, 8]);
  });

  it('reads epoch seconds in any order, and an empty value as missing', () => {
    const csv = 'ts,value\r\n172800,3\r\n0,1\r\n86400,\r\n259200,4\r\n';
    const series = parseSeriesCsv(csv, 'daily');
    expect(series.stepMs).toBe(86_400_000);
    expect(Array.from(series.values)).toEqual([1, Number.NaN, 3, 4]);
  });

  it('rejects a wrong header and an unreadable row, naming the line', () => {
    expect(() => parseSeriesCsv('time,count\n0,1\n', 'x')).toThrow(/header/);
    expect(() => parseSeriesCsv('ts,value\n0,1\n60,abc\n120,3\n', 'x')).toThrow(/x:3/);
  });
});

describe('step and season inference', () => {
  it('takes the most common gap, so missing rows do not change the step', () => {
    expect(inferStepMs([0, 300, 600, 1200, 1500, 2100])).toBe(300);
  });

  it('matches the season and horizon to the step', () => {
    expect(seasonForStep(300_000)).toBe(288);
    expect(seasonForStep(3_600_000)).toBe(24);
    expect(seasonForStep(86_400_000)).toBe(7);
    expect(horizonForStep(300_000)).toBe(12);
    expect(horizonForStep(86_400_000)).toBe(7);
  });

  it('reads zone-less and space-separated ISO times as UTC', () => {
    expect(parseTimestamp('2014-04-12 09:04:00')).toBe(Date.UTC(2014, 3, 12, 9, 4));
    expect(parseTimestamp('2014-04-12T09:04:00+02:00')).toBe(Date.UTC(2014, 3, 12, 7, 4));
    expect(parseTimestamp('1397293440')).toBe(1_397_293_440_000);
  });
});
