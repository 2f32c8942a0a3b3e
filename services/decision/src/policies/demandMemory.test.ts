import { describe, expect, it } from 'vitest';
import { DemandMemory, type RememberedForecast } from './demandMemory.js';

const WINDOW = 600_000;
const HOUR = 3_600_000;

/** A forecast issued at the end of window `w` (which observed `observed`), predicting `mean` next. */
const forecast = (w: number, observed: number, mean: number): RememberedForecast => ({
  resource: 'r',
  cluster: 'c',
  issuedMs: (w + 1) * WINDOW,
  windowMs: WINDOW,
  observed,
  steps: [{ tsMs: (w + 1) * WINDOW, mean }],
});

describe('DemandMemory', () => {
  it('adds the observed count of the window just closed', () => {
    const memory = new DemandMemory(HOUR);
    memory.record('r', forecast(0, 10, 0));
    expect(memory.valueOf('r', WINDOW)).toBeCloseTo(10);
    expect(memory.valueOf('unknown', WINDOW)).toBe(0);
  });

  it('halves once per half-life when the forecast says the demand is gone', () => {
    const memory = new DemandMemory(HOUR);
    memory.record('r', forecast(0, 10, 0));
    expect(memory.valueOf('r', WINDOW + HOUR)).toBeCloseTo(5);
    expect(memory.valueOf('r', WINDOW + 2 * HOUR)).toBeCloseTo(2.5);
  });

  it('runs silent windows at the latest forecast rate, converging to rate × half-life / ln 2', () => {
    const memory = new DemandMemory(HOUR);
    memory.record('r', forecast(0, 0, 6)); // 6 per 10 minutes = 36 per hour, from then on
    expect(memory.valueOf('r', WINDOW + 100 * HOUR)).toBeCloseTo(36 / Math.LN2, 6);
  });

  it('integrates the rate up to the next observed window, then adds that window as observed', () => {
    const memory = new DemandMemory(HOUR);
    memory.record('r', forecast(0, 0, 6));
    // Windows 1 and 2 were silent (no forecast): 6 each, decayed; window 3 observed 6 as well.
    memory.record('r', forecast(3, 6, 6));
    const steady = new DemandMemory(HOUR);
    for (let w = 0; w <= 3; w++) steady.record('r', forecast(w, w === 0 ? 0 : 6, 6));
    // Equal up to where in its window each request falls (the rate spreads it, observed lumps it).
    const [silent, observed] = [memory.valueOf('r', 4 * WINDOW), steady.valueOf('r', 4 * WINDOW)];
    expect(Math.abs(silent - observed) / observed).toBeLessThan(0.05);
    expect(silent).toBeGreaterThan(15);
  });

  it('forgets the least recently updated resource past its bound', () => {
    const memory = new DemandMemory(HOUR, 2);
    memory.record('a', forecast(0, 1, 1));
    memory.record('b', forecast(0, 1, 1));
    memory.record('a', forecast(1, 1, 1));
    memory.record('c', forecast(1, 1, 1));
    expect(memory.size).toBe(2);
    expect(memory.valueOf('b', 2 * WINDOW)).toBe(0);
    expect(memory.valueOf('a', 2 * WINDOW)).toBeGreaterThan(0);
  });

  it('refuses a half-life that is not positive', () => {
    expect(() => new DemandMemory(0)).toThrow(RangeError);
  });
});
