import { describe, expect, it } from 'vitest';
import { replay } from '../replay.js';
import { tinyTrace } from '../simTestTrace.testutil.js';

/** Ten-second windows: hot object H is asked 5 times per window, cold objects once each. */
function workload(windows: number, hot: (w: number) => string): string[] {
  const objects: string[] = [];
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < 10; i++) objects.push(i % 2 === 0 ? hot(w) : `cold-${w}-${i}`);
  }
  return objects;
}

const run = (objects: string[], policy: string) =>
  replay(tinyTrace(objects), {
    policies: [policy],
    capacityObjects: 1,
    capacityBytes: Infinity,
    warmup: 0.2,
    windowMs: 10_000,
    horizonSteps: 2,
    minChange: 0.1,
  })[0];

describe('PDME policies in the simulator', () => {
  it('greedy and benefit mirror a steadily hot object from its forecast and serve it proactively', () => {
    const objects = workload(10, () => 'H');
    for (const policy of ['greedy', 'benefit']) {
      const result = run(objects, policy);
      // After warm-up (2 windows) every H request is served by the mirror: 5 per window, 8 windows.
      expect(result?.proactiveHits).toBe(40);
      expect(result?.hits).toBe(40);
    }
  });

  it('benefit moves the mirror when demand moves; greedy holds its old mirror (hysteresis, no room)', () => {
    const objects = workload(12, (w) => (w < 6 ? 'H' : 'G'));
    const benefit = run(objects, 'benefit');
    const greedy = run(objects, 'greedy');
    expect(benefit?.stats.dnsChanges).toBeGreaterThanOrEqual(2);
    expect(benefit?.hits ?? 0).toBeGreaterThan(greedy?.hits ?? Infinity);
  });

  it('benefit+freq keeps a long-run favourite through another object’s one-window burst', () => {
    // H is asked 5 times in every window; in window 7, B too is asked 5 times (instead of colds).
    const objects = workload(12, () => 'H').map((name, i) =>
      name.startsWith('cold-7-') && i % 10 !== 9 ? 'B' : name,
    );
    const result = run(objects, 'benefit+freq');
    // Warm-up ends at request 24; H, mirrored at the window-2 boundary (request 20), serves its
    // 3 remaining requests of window 2 and 5 in each of the 9 windows after: 48, with no DNS change.
    expect(result?.proactiveHits).toBe(48);
    expect(result?.hits).toBe(48);
    expect(result?.stats.dnsChanges).toBe(0);
  });
});
