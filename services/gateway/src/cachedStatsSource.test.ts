import { PdmeError } from '@pdme/common/errors';
import { describe, expect, it } from 'vitest';
import { CachedStatsSource } from './cachedStatsSource.js';
import type { StatsFilter } from './statsFilter.js';
import type { StatsSnapshot, StatsSource } from './statsReader.js';
import { noAccuracy } from './statsAccuracy.js';

function snapshotAt(generatedMs: number): StatsSnapshot {
  return {
    mirrors: [],
    servers: [],
    mirrorsCreated: 0,
    mirrorsRemoved: 0,
    mirrorsFailed: 0,
    lateMirrors: 0,
    generatedMs,
    forecasts: [],
    invalidRecords: 0,
    accuracy: noAccuracy(),
    performance: { readMs: 1, forecastAgeMs: null, latencies: [] },
  };
}

/** Counts reads; each read stays pending until `release` is called (or fails with `failWith`). */
class GatedSource implements StatsSource {
  readonly clusters = ['eu'];
  readonly reads: StatsFilter[] = [];
  failWith: Error | undefined;
  private waiting: (() => void)[] = [];

  read(filter: StatsFilter): Promise<StatsSnapshot> {
    this.reads.push(filter);
    const n = this.reads.length;
    const failure = this.failWith;
    return new Promise((resolve, reject) => {
      this.waiting.push(() => (failure === undefined ? resolve(snapshotAt(n)) : reject(failure)));
    });
  }

  release(): void {
    for (const done of this.waiting.splice(0)) done();
  }
}

function setup(options: { maxEntries?: number } = {}) {
  const inner = new GatedSource();
  const clock = { ms: 1_000 };
  const cache = new CachedStatsSource(inner, { ttlMs: 250, now: () => clock.ms, ...options });
  return { inner, clock, cache };
}

describe('CachedStatsSource', () => {
  it('shares one in-flight read among concurrent callers with the same filter', async () => {
    const { inner, cache } = setup();
    const answers = [cache.read({}), cache.read({}), cache.read({})];
    expect(inner.reads).toHaveLength(1);
    inner.release();
    const [a, b, c] = await Promise.all(answers);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it('reuses an answer within the TTL and reads again after it', async () => {
    const { inner, clock, cache } = setup();
    const first = cache.read({});
    inner.release();
    expect((await first).generatedMs).toBe(1);
    clock.ms += 249;
    expect((await cache.read({})).generatedMs).toBe(1);
    clock.ms += 1;
    const second = cache.read({});
    inner.release();
    expect((await second).generatedMs).toBe(2);
    expect(inner.reads).toHaveLength(2);
  });

  it('keeps separate answers per filter, including the time range', async () => {
    const { inner, cache } = setup();
    void cache.read({});
    void cache.read({ cluster: 'eu' });
    void cache.read({ cluster: 'eu', since: 5 });
    void cache.read({ cluster: 'eu', since: 5, until: 9 });
    void cache.read({ cluster: 'eu', since: 5 });
    inner.release();
    expect(inner.reads).toEqual([
      {},
      { cluster: 'eu' },
      { cluster: 'eu', since: 5 },
      { cluster: 'eu', since: 5, until: 9 },
    ]);
  });

  it('forgets a failed read so the next caller tries again', async () => {
    const { inner, cache } = setup();
    inner.failWith = new PdmeError('UNAVAILABLE', 'stats store unavailable');
    const failed = cache.read({});
    inner.release();
    await expect(failed).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    inner.failWith = undefined;
    const retried = cache.read({});
    inner.release();
    expect((await retried).generatedMs).toBe(2);
  });

  it('drops the oldest filter beyond maxEntries', async () => {
    const { inner, cache } = setup({ maxEntries: 2 });
    void cache.read({ resource: 'a.example.com' });
    void cache.read({ resource: 'b.example.com' });
    void cache.read({ resource: 'c.example.com' });
    void cache.read({ resource: 'b.example.com' }); // still cached
    void cache.read({ resource: 'a.example.com' }); // evicted: read again
    inner.release();
    expect(inner.reads.map((f) => f.resource)).toEqual([
      'a.example.com',
      'b.example.com',
      'c.example.com',
      'a.example.com',
    ]);
  });
});
