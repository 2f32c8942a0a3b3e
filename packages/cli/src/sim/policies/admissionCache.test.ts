import { describe, expect, it } from 'vitest';
import { AdmissionCache } from './admissionCache.js';
import { DecayedFrequency } from './decayedFrequency.js';
import type { Outcome } from './policy.js';

const objects = { A: 0, B: 1, C: 2, P: 3 } as const;
const scan = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

function cache(capacityObjects: number, admit = true) {
  const stats = { bytesMoved: 0, dnsChanges: 0, lateMirrors: 0 };
  const store = new AdmissionCache({
    objects: 100,
    capacityObjects,
    capacityBytes: Infinity,
    stats,
    scoring: { on: true },
    admit,
  });
  const run = (sequence: readonly number[]): Outcome[] => sequence.map((o) => store.access(o, 10));
  return { store, stats, run };
}

describe('AdmissionCache (mirrors + W-TinyLFU)', () => {
  // Room 4: window 1, main 3. A, B, C are asked twice, then 10 one-off objects, then A, B, C again.
  // Each one-off leaves the window with count 1 and loses to main's victim (count 2): A, B, C stay.
  it('keeps objects with a history through a scan of one-off requests', () => {
    const { run } = cache(4);
    const { A, B, C } = objects;
    run([A, A, B, B, C, C, ...scan(10, 10)]);
    expect(run([A, B, C])).toEqual(['reactive', 'reactive', 'reactive']);
  });

  // Room 4: window 1, main 3 (protected 2). A, used again on probation, is protected (count 3).
  // Newcomers used four times each win admission against probation's victims, never against A.
  it('protects what was used again in main from newcomers that win admission', () => {
    const { run } = cache(4);
    const { A, B } = objects;
    run([A, B, A, B, A]);
    for (const x of scan(10, 6)) run([x, x, x, x]);
    expect(run([A])).toEqual(['reactive']);
  });

  // Room 4; A is protected; three mirrors leave one reactive slot: it must go to newcomers, not A.
  it('gives the room mirrors leave to the window, not to what protected held before', () => {
    const { store, run } = cache(4);
    const { A, B, C } = objects;
    run([A, B, A]);
    for (const mirror of scan(50, 3)) store.pin(mirror, 10);
    expect(run([C, C])).toEqual(['miss', 'reactive']);
  });

  it('serves mirrors proactively and shrinks the reactive room around them', () => {
    const { store, stats, run } = cache(2);
    const { A, B, P } = objects;
    expect(store.pin(P, 10)).toBe(true);
    expect(stats).toEqual({ bytesMoved: 10, dnsChanges: 1, lateMirrors: 0 });
    // One reactive slot left: A is cached, then B takes its place (the window is all there is).
    expect(run([P, A, A, B, A])).toEqual(['proactive', 'miss', 'reactive', 'miss', 'miss']);
    expect(store.pin(A, 10)).toBe(true);
    expect(store.pin(B, 10)).toBe(false); // mirrors alone fill the room
  });

  it('counts a mirror placed for an object missed in the window before as late', () => {
    const { store, stats, run } = cache(2, false);
    run([objects.A]);
    store.tick();
    store.pin(objects.A, 10);
    expect(stats.lateMirrors).toBe(1);
    expect(run([objects.A, objects.B, objects.B])).toEqual(['proactive', 'miss', 'miss']);
  });

  it('keeps an unmirrored object on probation when it admits', () => {
    const { store, run } = cache(3);
    store.pin(objects.A, 10);
    store.unpin(objects.A);
    expect(run([objects.A])).toEqual(['reactive']);
  });
});

describe('DecayedFrequency', () => {
  it('halves every count after each sample of requests', () => {
    const frequency = new DecayedFrequency(3, 4);
    for (const object of [0, 0, 0]) frequency.increment(object);
    expect(frequency.estimate(0)).toBe(3);
    frequency.increment(1); // 4th request: counts halve (integer), 3 → 1, 1 → 0
    expect([frequency.estimate(0), frequency.estimate(1)]).toEqual([1, 0]);
    expect(frequency.estimate(2)).toBe(0);
  });
});
