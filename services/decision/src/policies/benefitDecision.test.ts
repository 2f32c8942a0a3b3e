import { describe, expect, it } from 'vitest';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import type { Candidate } from '../selectBestServer.js';
import { benefitPerByte, decideByBenefit, predictedHits, type BenefitInput } from './benefitDecision.js';

// Hand-worked units: a hit on the cache saves 110 - 10 = 100 ms; moving 1 byte costs 0.5, so a
// 100-byte newcomer pays 50 to move. Benefit per byte = (hits × 100 − 50) / 100.
const MIB = 1024 * 1024;
const benefit = { originLatencyMs: 110, transferCostPerMiB: 0.5 * MIB };
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
  policy: 'benefit' as const,
  weights: { latency: 1, capacity: 1, diversity: 0, cost: 0 },
  hysteresisWindows: 3,
  minLifetimeMs: 60_000,
  warmTimeMs: 2_000,
};
const NOW = 1_000_000;
const serverA = {
  id: 'a',
  host: 'a.cdn.example',
  address: '127.0.0.1',
  port: 80,
  capacityBytes: 1000,
  latencyMs: 10,
  region: 'eu',
  cost: 1,
};
const candidate = (usedBytes: number): Candidate => ({ server: serverA, usedBytes, healthy: true });
const resident = (resource: string, over: Partial<MirrorRecord> = {}): MirrorRecord => ({
  resource,
  cluster: 'c1',
  serverId: 'a',
  serverHost: 'a.cdn.example',
  state: 'applied',
  commandId: `cmd-${resource}`,
  sinceMs: 0,
  reservedBytes: 100,
  predictedDemand: 1,
  resourceType: 'video',
  lowWindows: 0,
  ...over,
});
const input = (hits: number, over: Partial<BenefitInput> = {}): BenefitInput => ({
  forecast: {
    resource: 'new.cdn.example',
    cluster: 'c1',
    issuedMs: NOW,
    steps: [{ tsMs: NOW + 600_000, mean: hits }],
  },
  type,
  mirrors: [],
  candidates: [candidate(0)],
  regionOf: () => 'eu',
  settings,
  nowMs: NOW,
  residents: [],
  hitsOf: () => undefined,
  benefit,
  contendedWindows: 0,
  ...over,
});

describe('benefitPerByte', () => {
  it('is hits × latency saved, less the transfer, per byte', () => {
    expect(benefitPerByte(1, 100, serverA, false, benefit)).toBeCloseTo(0.5); // (100 − 50) / 100
    expect(benefitPerByte(1, 100, serverA, true, benefit)).toBeCloseTo(1); // resident: nothing to move
    expect(benefitPerByte(0.4, 100, serverA, false, benefit)).toBeCloseTo(-0.1);
  });

  it('sums the forecast steps into predicted hits', () => {
    expect(
      predictedHits({
        resource: 'r',
        cluster: 'c',
        issuedMs: 0,
        steps: [
          { tsMs: 1, mean: 2 },
          { tsMs: 2, mean: 3 },
        ],
      }),
    ).toBe(5);
  });
});

describe('decideByBenefit', () => {
  // Server full (1000 of 1000 bytes): a resident worth 2 per byte (hits 2, resident) and one worth 0.1.
  const full = {
    candidates: [candidate(1000)],
    residents: [resident('good.cdn.example'), resident('poor.cdn.example')],
    hitsOf: (r: string) => (r === 'good.cdn.example' ? 2 : r === 'poor.cdn.example' ? 0.1 : undefined),
  };

  it('mirrors where it fits when the benefit is positive, below the seed threshold too', () => {
    expect(decideByBenefit(input(1))).toMatchObject({ kind: 'mirror', demand: 1 });
    expect(decideByBenefit(input(0.4))).toMatchObject({ kind: 'none', reason: 'no positive benefit' });
  });

  it('adds the long-run prior to the forecast hits', () => {
    // 0.4 + 0.6 = 1 hit: (100 − 50) / 100 per byte, positive; the demand reported stays the forecast's.
    expect(decideByBenefit(input(0.4, { priorHits: 0.6 }))).toMatchObject({ kind: 'mirror', demand: 0.4 });
  });

  it('contends for hysteresisWindows forecasts before displacing the worst resident', () => {
    // Newcomer: (300 − 50) / 100 = 2.5 per byte beats poor (0.1); freeing poor alone makes room.
    expect(decideByBenefit(input(3, full))).toEqual({ kind: 'contend', demand: 3, contendedWindows: 1 });
    expect(decideByBenefit(input(3, { ...full, contendedWindows: 1 }))).toMatchObject({
      kind: 'contend',
      contendedWindows: 2,
    });
    const decision = decideByBenefit(input(3, { ...full, contendedWindows: 2 }));
    expect(decision.kind).toBe('displace');
    if (decision.kind === 'displace')
      expect(decision.victims.map((v) => v.resource)).toEqual(['poor.cdn.example']);
  });

  it('spares residents younger than the minimum lifetime', () => {
    const young = {
      ...full,
      residents: [resident('good.cdn.example'), resident('poor.cdn.example', { sinceMs: NOW - 1 })],
    };
    // Only good (2 per byte) may go; the newcomer's 2.5 still beats it: gain 250 − 200 = 50.
    const decision = decideByBenefit(input(3, { ...young, contendedWindows: 2 }));
    expect(decision.kind === 'displace' ? decision.victims.map((v) => v.resource) : decision.kind).toEqual([
      'good.cdn.example',
    ]);
    // A newcomer worth (150 − 50) / 100 = 1 per byte does not beat good: it waits at the origin.
    expect(decideByBenefit(input(1.5, { ...young, contendedWindows: 2 }))).toMatchObject({
      kind: 'none',
      reason: 'no cache server with room',
    });
  });

  it('counts a resident nobody forecasts any more as worth nothing', () => {
    const forgotten = { ...full, hitsOf: (r: string) => (r === 'good.cdn.example' ? 2 : undefined) };
    const decision = decideByBenefit(input(1, { ...forgotten, contendedWindows: 2 }));
    expect(decision.kind === 'displace' ? decision.victims.map((v) => v.resource) : decision.kind).toEqual([
      'poor.cdn.example',
    ]);
  });

  it('frees several small residents when one is not enough', () => {
    const small = (n: number) => resident(`s${n}.cdn.example`, { reservedBytes: 50 });
    const decision = decideByBenefit(
      input(3, {
        candidates: [candidate(1000)],
        residents: [small(1), small(2), small(3)],
        hitsOf: (r) => (r === 's3.cdn.example' ? 1 : 0.1), // s1, s2: 0.1 × 100 / 50 = 0.2 per byte
        contendedWindows: 2,
      }),
    );
    expect(decision.kind === 'displace' ? decision.victims.map((v) => v.resource) : decision.kind).toEqual([
      's1.cdn.example',
      's2.cdn.example',
    ]);
  });

  it('keeps the seed hysteresis for a resource already mirrored here', () => {
    const mine = resident('new.cdn.example', { lowWindows: 1 });
    expect(decideByBenefit(input(1, { mirrors: [mine] }))).toEqual({
      kind: 'hold',
      demand: 1,
      lowWindows: 2,
    });
    expect(decideByBenefit(input(1, { mirrors: [{ ...mine, lowWindows: 2 }] }))).toEqual({
      kind: 'unmirror',
      demand: 1,
    });
  });
});
