import { describe, expect, it } from 'vitest';
import { currentModel, forecastSlot, initSlot, ONLINE_STRIDE, updateSlot } from './onlineEnsemble.js';

describe('online ensemble', () => {
  it('puts a smoother in charge on a noisy flat series, and re-selects when the series starts to climb', () => {
    const state = new Float64Array(ONLINE_STRIDE * 2);
    const at = ONLINE_STRIDE; // a second row: offsets must be honoured
    initSlot(state, at);
    for (let t = 0; t < 100; t++) updateSlot(state, at, t % 2 === 0 ? 90 : 110);
    const flat = currentModel(state, at);
    expect(flat).not.toBe('naive'); // last value is the worst guess on an alternating series
    expect(forecastSlot(state, at, 1)[0]?.mean).toBeGreaterThan(90);
    expect(forecastSlot(state, at, 1)[0]?.mean).toBeLessThan(110);
    for (let t = 0; t < 100; t++) updateSlot(state, at, 100 + 20 * t);
    expect(currentModel(state, at)).not.toBe(flat);
    expect(state.subarray(0, ONLINE_STRIDE).every((v) => v === 0)).toBe(true);
  });
});
