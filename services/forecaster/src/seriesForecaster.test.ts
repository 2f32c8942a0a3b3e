import { describe, expect, it } from 'vitest';
import { SERIES_END_MODEL } from '@pdme/common/messages';
import { SeriesForecaster } from './seriesForecaster.js';
import { DampedHolt } from './models/dampedHolt.js';

const win = (count: number, i: number) => ({
  resource: 'r',
  cluster: 'c',
  windowStartMs: i * 1000,
  windowMs: 1000,
  count,
});

describe('DampedHolt', () => {
  it('tracks a level and widens the interval with the horizon', () => {
    const model = new DampedHolt();
    for (let i = 0; i < 30; i++) model.update(10 + (i % 2));
    const [one, , three] = model.forecast(3);
    expect(one?.mean).toBeGreaterThan(9);
    expect(one?.mean).toBeLessThan(12);
    expect((three?.p90 ?? 0) - (three?.mean ?? 0)).toBeGreaterThan((one?.p90 ?? 0) - (one?.mean ?? 0));
  });
});

describe('SeriesForecaster', () => {
  it('flags a sudden rise as a flash crowd and forecasts at least the observed rate', () => {
    const forecaster = new SeriesForecaster({ horizonSteps: 3, minChange: 0.1 });
    for (let i = 0; i < 10; i++) forecaster.observe(win(2, i), i * 1000);
    const forecast = forecaster.observe(win(40, 10), 11_000);
    expect(forecast?.flashCrowd).toBe(true);
    expect(forecast?.steps[0]?.mean).toBeGreaterThanOrEqual(40);
    expect(forecast?.steps[0]?.tsMs).toBe(11_000);
  });

  it('publishes only material changes and lets demand fade', () => {
    const forecaster = new SeriesForecaster({ horizonSteps: 1, minChange: 0.1 });
    expect(forecaster.observe(win(10, 0), 0)).toBeDefined();
    expect(forecaster.observe(win(10, 1), 1000)).toBeUndefined();
    let last = 10;
    for (let i = 2; i < 20; i++) last = forecaster.observe(win(0, i), i * 1000)?.steps[0]?.mean ?? last;
    expect(last).toBeLessThan(1);
  });
});

describe('SeriesForecaster series end', () => {
  it('publishes a last zero forecast when an idle series is forgotten, and forgets it', () => {
    const forecaster = new SeriesForecaster({ horizonSteps: 2, minChange: 0.1 });
    expect(forecaster.observe(win(30, 0), 0)).toBeDefined();
    const last = forecaster.observe({ ...win(0, 1), seriesEnd: true }, 1000);
    expect(last?.model).toBe(SERIES_END_MODEL);
    expect(last?.steps.map((s) => s.mean)).toEqual([0, 0]);
    expect(forecaster.seriesCount).toBe(0);
    // Nothing was ever published for it: nothing to withdraw.
    const quiet = new SeriesForecaster({ horizonSteps: 1, minChange: 0.1 });
    expect(quiet.observe({ ...win(0, 0), seriesEnd: true }, 0)).toBeUndefined();
  });
});

describe('SeriesForecaster state', () => {
  it('keeps series apart and reuses a forgotten series slot from scratch', () => {
    const forecaster = new SeriesForecaster({ horizonSteps: 1, minChange: 0 });
    for (let i = 0; i < 10; i++) {
      forecaster.observe({ ...win(100, i), resource: 'a' }, i * 1000);
      forecaster.observe({ ...win(1, i), resource: 'b' }, i * 1000);
    }
    expect(forecaster.seriesCount).toBe(2);
    forecaster.forget('a', 'c');
    expect(forecaster.seriesCount).toBe(1);
    const fresh = forecaster.observe({ ...win(7, 11), resource: 'new' }, 12_000);
    expect(fresh?.steps[0]?.mean).toBeCloseTo(7, 6);
    const b = forecaster.observe({ ...win(1, 11), resource: 'b' }, 12_000);
    expect(b?.steps[0]?.mean ?? 1).toBeCloseTo(1, 6);
  });

  it('does not flag a bursty series swinging within its usual noise', () => {
    const forecaster = new SeriesForecaster({ horizonSteps: 1, minChange: 0.1 });
    const flags = [];
    for (let i = 0; i < 200; i++)
      flags.push(forecaster.observe(win(i % 2 === 0 ? 5 : 40, i), i * 1000)?.flashCrowd);
    expect(flags.slice(50).filter((f) => f === true)).toEqual([]);
  });
});
