import { describe, expect, it } from 'vitest';
import { holtWinters } from './holtWinters.js';
import { logTransformed } from './logTransformed.js';
import { hourly, seasonalSeries } from './testSeries.testutil.js';

const pattern = [0, 10, 30, 10, 0, -10, -20, -10];

describe('Holt-Winters', () => {
  it('additive: continues an exact additive season', () => {
    const history = seasonalSeries(80, pattern);
    const forecast = holtWinters({ seasonality: 'additive' }).fit(history, hourly(8)).forecast(8);
    const expected = seasonalSeries(88, pattern).subarray(80);
    forecast.forEach((v, h) => expect(v).toBeCloseTo(expected[h] ?? 0, 0));
  });

  it('multiplicative: continues an exact multiplicative season', () => {
    const factors = [0.5, 1, 2, 1.5, 1, 0.5, 0.5, 1];
    const history = Float64Array.from({ length: 80 }, (_, t) => 40 * (factors[t % 8] ?? 1));
    const forecast = holtWinters({ seasonality: 'multiplicative' }).fit(history, hourly(8)).forecast(8);
    forecast.forEach((v, h) => expect(v).toBeCloseTo(40 * (factors[h % 8] ?? 1), 0));
  });

  it('damped trend: follows a rising line, and damps the rise ahead', () => {
    const history = seasonalSeries(60, [0], 10, 2);
    const forecast = holtWinters({ seasonality: 'none' }).fit(history, hourly(1)).forecast(20);
    expect(forecast[0]).toBeCloseTo(130, 0);
    const last = forecast[19] ?? 0;
    expect(last).toBeGreaterThan(130);
    expect(last).toBeLessThan(10 + 2 * 79); // below the undamped line
  });

  it('treats a missing value as unobserved, not as zero', () => {
    const history = seasonalSeries(80, pattern);
    history[75] = Number.NaN;
    const forecast = holtWinters({ seasonality: 'additive' }).fit(history, hourly(8)).forecast(1);
    expect(forecast[0]).toBeCloseTo(50, 0);
  });

  it('on log1p: continues a multiplicative season (ETS on the log scale)', () => {
    const factors = [1, 2, 4, 2];
    const history = Float64Array.from({ length: 60 }, (_, t) => 100 * (factors[t % 4] ?? 1) - 1);
    const forecast = logTransformed(holtWinters({ seasonality: 'additive' }))
      .fit(history, hourly(4))
      .forecast(4);
    forecast.forEach((v, h) => expect(v).toBeCloseTo(100 * (factors[h % 4] ?? 1) - 1, -1));
  });
});
