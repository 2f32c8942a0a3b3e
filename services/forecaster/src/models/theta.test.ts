import { describe, expect, it } from 'vitest';
import { isSeasonal, seasonalIndices, theta } from './theta.js';

const PERIOD = 12;
/** A rising line with a seasonal wave and a little deterministic noise. */
const seasonalTrend = (n: number) =>
  Float64Array.from(
    { length: n },
    (_, t) => 50 + 0.2 * t + 10 * Math.sin((2 * Math.PI * t) / PERIOD) + ((t * 7) % 5) - 2,
  );

describe('theta', () => {
  it('finds the season, and its indices follow the wave and centre on zero', () => {
    const series = seasonalTrend(240);
    expect(isSeasonal(series, PERIOD)).toBe(true);
    const flat = Float64Array.from({ length: 240 }, (_, t) => 50 + ((t * 7) % 5));
    expect(isSeasonal(flat, PERIOD)).toBe(false);
    const indices = seasonalIndices(series, PERIOD);
    expect(indices.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 9);
    expect(indices[3]).toBeGreaterThan(8); // the wave's top, sin = 1 at t = 3
    expect(indices[9]).toBeLessThan(-8);
  });

  it('forecasts the trend and the season ahead, and skips gaps', () => {
    const series = seasonalTrend(240);
    series[100] = Number.NaN;
    const fitted = theta().fit(series.subarray(0, 228), { season: PERIOD, stepMs: 60_000, startMs: 0 });
    const forecast = fitted.forecast(PERIOD);
    const actual = series.subarray(228, 240);
    const mae = forecast.reduce((s, f, h) => s + Math.abs(f - (actual[h] ?? 0)), 0) / PERIOD;
    expect(mae).toBeLessThan(4); // the wave alone swings ±10, the noise ±2
    fitted.update(Number.NaN);
    // A gap is filled with the forecast: the next forecast is where the trend would be by then.
    expect(Math.abs((fitted.forecast(1)[0] ?? 0) - (forecast[1] ?? 0))).toBeLessThan(0.5);
  });
});
