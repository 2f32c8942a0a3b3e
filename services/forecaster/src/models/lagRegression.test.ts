import { describe, expect, it } from 'vitest';
import { combination } from './combination.js';
import { lagRegression } from './lagRegression.js';
import { seasonalNaive } from './seasonalNaive.js';
import { pooledGlobal } from './pooledGlobal.js';
import { hourly } from './testSeries.testutil.js';

const logPattern = [1, 2, 3, 2.5, 2, 1.5];
const fromLog = (level: number) => (t: number) => Math.expm1(level + (logPattern[t % 6] ?? 0));

describe('lag regression', () => {
  it('reproduces a series that is exactly linear in its lags (log scale)', () => {
    const history = Float64Array.from({ length: 120 }, (_, t) => fromLog(2)(t));
    const forecast = lagRegression().fit(history, hourly(6)).forecast(6);
    forecast.forEach((v, h) => expect(Math.log1p(v)).toBeCloseTo(2 + (logPattern[(120 + h) % 6] ?? 0), 3));
  });

  it('uses external-event intensity when given', () => {
    const events = Float64Array.from({ length: 140 }, (_, t) => (t % 17 === 0 ? 1 : 0));
    const values = Float64Array.from({ length: 140 }, (_, t) => Math.expm1(3 + 2 * (events[t] ?? 0)));
    const context = { ...hourly(6), events };
    const forecast = lagRegression().fit(values.subarray(0, 135), context).forecast(2);
    // t = 135 = 17·7 + 16 is quiet, t = 136 = 17·8 carries an event: its forecast is e² times higher.
    expect(Math.log1p(forecast[1] ?? 0) - Math.log1p(forecast[0] ?? 0)).toBeCloseTo(2, 2);
  });
});

describe('pooled global model', () => {
  it('learns the shared shape from peers and scales it by each series level', () => {
    const peer = Float64Array.from({ length: 120 }, (_, t) => fromLog(4)(t));
    const sparse = Float64Array.from({ length: 40 }, (_, t) => fromLog(1)(t));
    const model = pooledGlobal([{ history: peer, context: hourly(6) }]);
    const forecast = model.fit(sparse, hourly(6)).forecast(6);
    forecast.forEach((v, h) => expect(Math.log1p(v)).toBeCloseTo(1 + (logPattern[(40 + h) % 6] ?? 0), 2));
  });
});

describe('combination', () => {
  it('takes the median of its members step by step', () => {
    const history = Float64Array.from([1, 2, 3, 10, 20, 30]);
    const combined = combination([seasonalNaive(), seasonalNaive({ seasonal: false }), seasonalNaive()]);
    expect(Array.from(combined.fit(history, hourly(3)).forecast(3))).toEqual([10, 20, 30]);
  });
});
