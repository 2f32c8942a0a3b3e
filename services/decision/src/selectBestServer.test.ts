import { describe, expect, it } from 'vitest';
import { scoreServers, selectBestServer, type Candidate } from './selectBestServer.js';

const server = (id: string, latencyMs: number, region: string, cost = 1, capacityBytes = 1000) => ({
  id,
  host: `${id}.example`,
  address: '127.0.0.1',
  port: 80,
  capacityBytes,
  latencyMs,
  region,
  cost,
});
const cand = (s: ReturnType<typeof server>, usedBytes = 0, healthy = true): Candidate => ({
  server: s,
  usedBytes,
  healthy,
});
const weights = { latency: 1, capacity: 1, diversity: 1, cost: 1 };

describe('selectBestServer', () => {
  it('works a hand example: latency 10 vs 20, free 90% vs 50%, same region and cost', () => {
    // a: latency 1 - 10/20 = 0.5, capacity (1000-0-100)/1000 = 0.9, diversity 1, cost 0 -> 2.4
    // b: latency 0, capacity (1000-400-100)/1000 = 0.5, diversity 1, cost 0 -> 1.5
    const scored = scoreServers(
      [cand(server('a', 10, 'eu')), cand(server('b', 20, 'eu'), 400)],
      100,
      new Set(),
      weights,
    );
    expect(scored.map((s) => [s.candidate.server.id, Number(s.score.toFixed(3))])).toEqual([
      ['a', 2.4],
      ['b', 1.5],
    ]);
  });

  it('prefers a region that does not hold the resource yet', () => {
    const best = selectBestServer(
      [cand(server('a', 10, 'eu')), cand(server('b', 10, 'us'))],
      1,
      new Set(['eu']),
      weights,
    );
    expect(best?.server.id).toBe('b');
  });

  it('skips unhealthy and full servers', () => {
    expect(
      selectBestServer(
        [cand(server('a', 1, 'eu'), 950), cand(server('b', 1, 'eu'), 0, false)],
        100,
        new Set(),
        weights,
      ),
    ).toBeUndefined();
  });

  it('weights cost when latency is equal', () => {
    const best = selectBestServer(
      [cand(server('a', 5, 'eu', 3)), cand(server('b', 5, 'eu', 1))],
      1,
      new Set(),
      { ...weights, capacity: 0 },
    );
    expect(best?.server.id).toBe('b');
  });
});
