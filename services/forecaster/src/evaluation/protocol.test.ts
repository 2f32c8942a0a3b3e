import { describe, expect, it } from 'vitest';
import { seasonalNaive } from '../models/seasonalNaive.js';
import { scoreForecasts, seasonalNaiveScale } from './accuracy.js';
import { adaptiveSelection } from './adaptiveSelection.js';
import { evaluateSeries } from './evaluateSeries.js';
import { quantile, ResidualQuantiles } from './residualQuantiles.js';
import { rollingOrigin } from './rollingOrigin.js';

const context = { season: 4, stepMs: 3_600_000, startMs: 0 };
/** A rising seasonal series: seasonal naive is off by exactly 4·slope everywhere. */
const rising = (n: number) =>
  Float64Array.from({ length: n }, (_, t) => 100 + 0.5 * t + ([0, 8, 3, -5][t % 4] ?? 0));

describe('rolling origin', () => {
  it('forecasts from an origin every horizon across the holdout, steps 1..horizon', () => {
    const values = rising(30);
    const backtest = rollingOrigin(seasonalNaive(), values, context, { trainEnd: 20, horizon: 4 });
    expect(Array.from(backtest?.index ?? [])).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(Array.from(backtest?.step ?? [])).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2]);
    expect(Array.from(backtest?.origin ?? [])).toEqual([20, 20, 20, 20, 24, 24, 24, 24, 28, 28]);
    // Seasonal naive from origin 24 has seen the actuals up to 23.
    expect(backtest?.mean[4]).toBe(values[20]);
  });

  it('declines a model that needs more history than the training part', () => {
    expect(
      rollingOrigin(seasonalNaive(), rising(30), { ...context, season: 40 }, { trainEnd: 20, horizon: 4 }),
    ).toBeUndefined();
  });
});

describe('accuracy', () => {
  it('scales MASE by in-sample seasonal-naive error, so seasonal naive scores exactly 1 here', () => {
    const values = rising(100);
    expect(seasonalNaiveScale(values, 80, 4)).toBeCloseTo(2, 12);
    const backtest = rollingOrigin(seasonalNaive(), values, context, { trainEnd: 80, horizon: 4 });
    if (backtest === undefined) throw new Error('no backtest');
    const score = scoreForecasts(values, backtest, 2);
    expect(score.mase).toBeCloseTo(1, 12);
    expect(score.points).toBe(20);
  });

  it('scores observed points only', () => {
    const values = Float64Array.from([1, 2, Number.NaN, 4]);
    const forecasts = {
      index: Int32Array.from([0, 1, 2, 3]),
      step: Int32Array.from([1, 2, 3, 4]),
      origin: new Int32Array(4),
      mean: Float64Array.from([2, 2, 100, 4]),
    };
    const score = scoreForecasts(values, forecasts, 1, Float64Array.from([0, 3, 0, 5]));
    expect(score.points).toBe(3);
    expect(score.mase).toBeCloseTo(1 / 3, 12);
    expect(score.wape).toBeCloseTo(1 / 7, 12);
    expect(score.coverage90).toBeCloseTo(2 / 3, 12);
  });

  it('computes type-7 quantiles and applies log residuals per step', () => {
    expect(quantile([4, 1, 3, 2, 5], 0.9)).toBeCloseTo(4.6, 12);
    const values = Float64Array.from({ length: 40 }, (_, i) => Math.expm1(1 + (i % 2)));
    const forecasts = {
      index: Int32Array.from({ length: 40 }, (_, i) => i),
      step: new Int32Array(40).fill(1),
      origin: new Int32Array(40),
      mean: new Float64Array(40).fill(Math.expm1(1)),
    };
    const bands = ResidualQuantiles.fromBacktest(values, forecasts, 1).apply(Math.expm1(1), 1);
    expect(Math.log1p(bands.p90)).toBeCloseTo(2, 12);
  });
});

describe('evaluateSeries', () => {
  it('follows the protocol: 20% held out, selection from the training part only', () => {
    const values = rising(400);
    const result = evaluateSeries(
      { name: 's', startMs: 0, stepMs: 3_600_000, values },
      { horizon: 4, season: 4, holdout: 0.2 },
    );
    expect(result.trainPoints).toBe(320);
    const naive = result.models.find((m) => m.model === 'seasonal-naive');
    expect(naive?.mase).toBeCloseTo(1, 9);
    expect(naive?.points).toBe(80);
    // A trend model tracks the line far better than repeating last season.
    const best = Math.min(...result.models.map((m) => m.mase));
    expect(best).toBeLessThan(0.2);
    expect(result.selected.length).toBeGreaterThan(0);
    expect(result.selected).not.toContain('seasonal-naive');
    expect(result.selectedScore.mase).toBeLessThan(0.5);
  });
});

describe('adaptive re-selection', () => {
  it('switches to the model whose error became lower once the first drifts', () => {
    const values = Float64Array.from({ length: 40 }, () => 10);
    const layout = {
      index: Int32Array.from({ length: 20 }, (_, i) => 20 + i),
      step: Int32Array.from({ length: 20 }, (_, i) => (i % 2) + 1),
      origin: Int32Array.from({ length: 20 }, (_, i) => 20 + 2 * Math.floor(i / 2)),
    };
    const inner = {
      ...layout,
      index: Int32Array.from({ length: 20 }, (_, i) => i),
      mean: new Float64Array(20).fill(10),
    };
    // "drifting" is perfect in the training part and in the first origin, then 5 off; "steady" is always 1 off.
    const drifting = { ...layout, mean: Float64Array.from({ length: 20 }, (_, i) => (i < 2 ? 10 : 15)) };
    const steady = { ...layout, mean: new Float64Array(20).fill(11) };
    const result = adaptiveSelection(
      values,
      [
        { name: 'drifting', inner, outer: drifting },
        { name: 'steady', inner: { ...inner, mean: new Float64Array(20).fill(11) }, outer: steady },
      ],
      'drifting',
    );
    expect(result?.mean[0]).toBe(10);
    expect(result?.mean[19]).toBe(11);
  });
});
