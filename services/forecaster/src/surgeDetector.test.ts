import { describe, expect, it } from 'vitest';
import { initSurge, observeSurge, SURGE_STRIDE } from './surgeDetector.js';

/** Feeds counts through one detector row; returns the indices flagged (a new series' first is). */
function flagged(counts: readonly number[]): number[] {
  const state = new Float64Array(SURGE_STRIDE * 2);
  const at = SURGE_STRIDE; // a second row: offsets must be honoured
  initSurge(state, at);
  return counts.flatMap((count, seen) => (observeSurge(state, at, count, seen) ? [seen] : []));
}

/** Deterministic noise around `level`: swings of ±60% window to window, like NAB's request counts. */
const noisy = (n: number, level: number) =>
  Array.from({ length: n }, (_, i) => Math.round(level * (1 + 0.6 * Math.sin(i * 2.3) * Math.cos(i * 0.7))));

describe('observeSurge', () => {
  it('ignores lone spikes in a noisy series', () => {
    const counts = noisy(300, 60);
    for (const i of [80, 150, 151 + 60, 280]) counts[i] = 180; // threefold, one window each
    expect(flagged(counts)).toEqual([0]); // only the first window of a series never seen
  });

  it('flags a sustained rise within a few windows', () => {
    const counts = [...noisy(200, 60), ...noisy(20, 60).map((c) => c + 150)];
    const flags = flagged(counts).slice(1);
    expect(flags.length).toBeGreaterThan(0);
    expect(flags[0]).toBeGreaterThanOrEqual(200);
    expect(flags[0]).toBeLessThanOrEqual(204);
  });

  it('flags an extreme jump at once: a quiet resource, and a never-seen one with a crowd', () => {
    expect(flagged([...Array.from({ length: 50 }, (_, i) => i % 3), 40])).toEqual([50]);
    expect(flagged([40])).toEqual([0]);
    expect(flagged([4])).toEqual([]); // under the minimum count
  });
});
