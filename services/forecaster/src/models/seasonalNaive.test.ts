import { describe, expect, it } from 'vitest';
import { seasonalNaive } from './seasonalNaive.js';
import { hourly } from './testSeries.testutil.js';

describe('seasonal naive', () => {
  it('repeats the last season, phase by phase, and follows updates', () => {
    const fitted = seasonalNaive().fit(Float64Array.from([1, 2, 3, 4, 5, 6]), hourly(3));
    expect(Array.from(fitted.forecast(4))).toEqual([4, 5, 6, 4]);
    fitted.update(10);
    expect(Array.from(fitted.forecast(3))).toEqual([5, 6, 10]);
  });

  it('keeps the older value of a phase whose last value is missing', () => {
    const fitted = seasonalNaive().fit(Float64Array.from([1, 2, 3, Number.NaN, 5, 6]), hourly(3));
    expect(Array.from(fitted.forecast(3))).toEqual([1, 5, 6]);
  });

  it('as naive, repeats the last observed value', () => {
    const fitted = seasonalNaive({ seasonal: false }).fit(Float64Array.from([3, 7, Number.NaN]), hourly(24));
    expect(Array.from(fitted.forecast(2))).toEqual([7, 7]);
  });
});
