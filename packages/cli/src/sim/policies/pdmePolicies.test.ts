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
  it('greedy and the benefit policies mirror a steadily hot object from its forecast and serve it proactively', () => {
    const objects = workload(10, () => 'H');
    for (const policy of ['greedy', 'benefit', 'benefit+prior', 'benefit-live', 'benefit-live+prior']) {
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

describe('benefit+prior (decayed long-run demand, learnt from forecasts)', () => {
  // Ten windows of H (5 of 10 requests), then fifty of G (2 of 10); the rest are one-off objects.
  const shifting = (): string[] =>
    Array.from({ length: 60 }, (_, w) =>
      Array.from({ length: 10 }, (_, i) => {
        if (w < 10) return i < 5 ? 'H' : `cold-${w}-${i}`;
        return i < 2 ? 'G' : `cold-${w}-${i}`;
      }),
    ).flat();

  it('lets a faded favourite go sooner than all-time counts, and serves the new one longer', () => {
    const objects = shifting();
    const prior = run(objects, 'benefit+prior');
    const allTime = run(objects, 'benefit+freq');
    // All-time counts hold H (50 requests) until G has asked about as often: ~22 windows of G.
    // The prior forgets H with a 24-window half-life while G's memory builds: it switches earlier.
    expect(prior?.proactiveHits ?? 0).toBeGreaterThan((allTime?.proactiveHits ?? 0) + 6);
  }, 30_000); // 600 requests; generous for a loaded CI machine

  it('keeps a long-run favourite through another object’s one-window burst', () => {
    const objects = workload(12, () => 'H').map((name, i) =>
      name.startsWith('cold-7-') && i % 10 !== 9 ? 'B' : name,
    );
    const result = run(objects, 'benefit+prior');
    expect(result?.proactiveHits).toBe(48);
    expect(result?.stats.dnsChanges).toBe(0);
  });
});

describe('benefit+prior+tinylfu (mirrors and an admission-filtered reactive part)', () => {
  // Pairs of new objects: no forecast can foresee them; a reactive cache serves each second request.
  it('serves what no forecast foresaw from its reactive part, and nothing proactively', () => {
    const objects = Array.from({ length: 100 }, (_, i) => `new-${Math.floor(i / 2)}`);
    const trace = tinyTrace(objects);
    const [hybrid, mirrorsOnly] = replay(trace, {
      policies: ['benefit+prior+tinylfu', 'benefit+prior'],
      capacityObjects: 10,
      capacityBytes: Infinity,
      warmup: 0.2,
      windowMs: 10_000,
      horizonSteps: 2,
      minChange: 0.1,
    });
    expect(hybrid?.proactiveHits).toBe(0);
    expect(hybrid?.hits).toBe(40); // the 40 pairs scored after warm-up
    expect(mirrorsOnly?.hits).toBe(0);
  });
});
