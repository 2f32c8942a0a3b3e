import { SERIES_END_MODEL } from '@pdme/common/messages';
import { describe, expect, it } from 'vitest';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import { decideMirroring, liveBy, type DecisionInput } from './decideMirroring.js';

const type = {
  name: 'video',
  patterns: ['*.cdn.example'],
  threshold: 20,
  unmirrorThreshold: 5,
  maxMirrors: 2,
  sizeBytes: 100,
  ttlSeconds: 30,
  warmPaths: ['/'],
};
const settings = {
  policy: 'greedy' as const,
  weights: { latency: 1, capacity: 1, diversity: 1, cost: 0 },
  hysteresisWindows: 3,
  minLifetimeMs: 60_000,
  warmTimeMs: 2_000,
};
const server = (id: string, region: string) => ({
  server: {
    id,
    host: `${id}.cdn.example`,
    address: '127.0.0.1',
    port: 80,
    capacityBytes: 1000,
    latencyMs: 5,
    region,
    cost: 1,
  },
  usedBytes: 0,
  healthy: true,
});
const mirror = (over: Partial<MirrorRecord>): MirrorRecord => ({
  resource: 'v.cdn.example',
  cluster: 'c1',
  serverId: 'a',
  serverHost: 'a.cdn.example',
  state: 'applied',
  commandId: 'x',
  sinceMs: 0,
  reservedBytes: 100,
  predictedDemand: 30,
  resourceType: 'video',
  lowWindows: 0,
  ...over,
});
const input = (demand: number, over: Partial<DecisionInput> = {}): DecisionInput => ({
  forecast: {
    resource: 'v.cdn.example',
    cluster: 'c1',
    issuedMs: 0,
    steps: [{ tsMs: 600_000, mean: demand }],
  },
  type,
  mirrors: [],
  candidates: [server('a', 'eu'), server('b', 'us')],
  regionOf: (id) => (id === 'a' ? 'eu' : 'us'),
  settings,
  nowMs: 1_000_000,
  ...over,
});

describe('decideMirroring', () => {
  it('mirrors above the threshold and stays put below it', () => {
    expect(decideMirroring(input(21)).kind).toBe('mirror');
    expect(decideMirroring(input(20)).kind).toBe('none');
  });

  it('respects maxMirrors across clusters', () => {
    const mirrors = [mirror({ cluster: 'c2' }), mirror({ cluster: 'c3' })];
    expect(decideMirroring(input(50, { mirrors }))).toMatchObject({
      kind: 'none',
      reason: 'maxMirrors reached',
    });
  });

  it('prefers a region without a mirror of the resource', () => {
    const decision = decideMirroring(input(50, { mirrors: [mirror({ cluster: 'c2', serverId: 'a' })] }));
    expect(decision.kind === 'mirror' && decision.server.server.id).toBe('b');
  });

  it('unmirrors only after the hysteresis and minimum lifetime', () => {
    expect(decideMirroring(input(1, { mirrors: [mirror({ lowWindows: 0 })] }))).toMatchObject({
      kind: 'hold',
      lowWindows: 1,
    });
    expect(decideMirroring(input(1, { mirrors: [mirror({ lowWindows: 2 })] })).kind).toBe('unmirror');
    expect(decideMirroring(input(1, { mirrors: [mirror({ lowWindows: 2, sinceMs: 990_000 })] })).kind).toBe(
      'hold',
    );
    // A series' last forecast (idle for the forecaster's forget horizon) needs no more streak.
    const seriesEnd = input(0, { mirrors: [mirror({ lowWindows: 0 })] });
    expect(
      decideMirroring({ ...seriesEnd, forecast: { ...seriesEnd.forecast, model: SERIES_END_MODEL } }).kind,
    ).toBe('unmirror');
    // Demand between the two thresholds resets the streak instead of flapping.
    expect(decideMirroring(input(10, { mirrors: [mirror({ lowWindows: 2 })] }))).toMatchObject({
      kind: 'hold',
      lowWindows: 0,
    });
  });

  it('computes the live-by time from the first window over the threshold', () => {
    const forecast = {
      resource: 'r',
      cluster: 'c1',
      issuedMs: 0,
      steps: [
        { tsMs: 60_000, mean: 1 },
        { tsMs: 120_000, mean: 40 },
      ],
    };
    expect(liveBy(forecast, type, 2_000)).toBe(120_000 - 2_000 - 30_000);
  });
});
