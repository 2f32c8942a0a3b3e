import { describe, expect, it } from 'vitest';
import { replay } from '../replay.js';
import { tinyTrace } from '../simTestTrace.testutil.js';

const run = (objects: string[], policy: string, capacity: number, warmup = 0) =>
  replay(tinyTrace(objects), {
    policies: [policy],
    capacityObjects: capacity,
    capacityBytes: Infinity,
    warmup,
    windowMs: 3_600_000,
    horizonSteps: 1,
    minChange: 0.1,
  })[0];

describe('reference policies on hand-worked traces', () => {
  // A B C A B C with room for 2: LRU always evicts the object needed next, so it never hits.
  it('LRU thrashes on a cycle one larger than the cache', () => {
    const result = run(['A', 'B', 'C', 'A', 'B', 'C'], 'lru', 2);
    expect(result?.hits).toBe(0);
    expect(result?.stats.bytesMoved).toBe(6);
  });

  // A B A C A B with room for 2: A hits at 3 and 5; B was evicted by C (LRU) so misses at 6.
  it('LRU keeps the recently used object', () => {
    expect(run(['A', 'B', 'A', 'C', 'A', 'B'], 'lru', 2)?.hits).toBe(2);
  });

  // A B C A B C, room 2. Belady: A,B admitted; C (next use never) bypassed; A and B hit: 2 hits.
  // The last C misses too. No reactive policy can do better: 3 distinct objects, 2 slots.
  it('Belady evicts or bypasses what is needed furthest in the future', () => {
    const result = run(['A', 'B', 'C', 'A', 'B', 'C'], 'belady', 2);
    expect(result?.hits).toBe(2);
    expect(result?.proactiveHits).toBe(0);
  });

  // A B C D A B C A B A, room 2: at C, A (next at 5) and B (6) are kept, C bypassed (next 7);
  // D bypassed; A, B hit; at C (7): next A is 8, B is 9, C never again: bypass; A hits, B hits, A hits.
  it('Belady matches the hand-worked optimum', () => {
    expect(run(['A', 'B', 'C', 'D', 'A', 'B', 'C', 'A', 'B', 'A'], 'belady', 2)?.hits).toBe(5);
  });

  // Warm-up A A A B B C (6 of 12 = 50%), then A B C D A B: top-2 of the warm-up is {A, B}.
  it('static top-K places the warm-up favourites and scores only the rest', () => {
    const objects = ['A', 'A', 'A', 'B', 'B', 'C', 'A', 'B', 'C', 'D', 'A', 'B'];
    const result = run(objects, 'static-topk', 2, 0.5);
    expect(result?.requests).toBe(6);
    expect(result?.hits).toBe(4);
    expect(result?.proactiveHits).toBe(4);
    expect(result?.stats.dnsChanges).toBe(2);
  });

  it('static top-K without warm-up knows nothing and places nothing', () => {
    expect(run(['A', 'A', 'B'], 'static-topk', 1)?.hits).toBe(0);
  });

  it('Belady is never worse than LRU, and the oracle never places an unseen object', () => {
    const objects = Array.from({ length: 400 }, (_, i) => `o${(i * 7919) % 23 < 12 ? i % 5 : i % 17}`);
    const lru = run(objects, 'lru', 4);
    const belady = run(objects, 'belady', 4);
    expect(belady?.hits).toBeGreaterThanOrEqual(lru?.hits ?? Infinity);
    expect(run(['A', 'B', 'C'], 'oracle', 3)?.hits).toBe(0);
  });
});
