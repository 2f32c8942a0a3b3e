import { describe, expect, it } from 'vitest';
import type { InfluenceCapOptions } from './influenceCap.js';
import { InfluenceLedger } from './influenceLedger.js';

const cap: InfluenceCapOptions = { perGroupFloor: 10, maxShare: 0.2, dominanceShare: 0.5, minFlagCount: 100 };
const windowMs = 60_000;
const t0 = 1_800_000_000_000 - (1_800_000_000_000 % windowMs);

describe('InfluenceLedger', () => {
  it('caps a flood per window and series, leaving other series and windows alone', () => {
    const ledger = new InfluenceLedger({ windowMs, cap });
    for (let i = 0; i < 5_000; i += 1) {
      ledger.add({
        resource: 'x.cdn.pdme.test',
        cluster: 'c1',
        tsMs: t0 + (i % windowMs),
        clientHash: 'attacker',
      });
    }
    for (let g = 0; g < 8; g += 1) {
      ledger.add({ resource: 'x.cdn.pdme.test', cluster: 'c1', tsMs: t0 + g, clientHash: `g${g}` });
      ledger.add({ resource: 'x.cdn.pdme.test', cluster: 'c2', tsMs: t0 + g, clientHash: `g${g}` });
      ledger.add({
        resource: 'x.cdn.pdme.test',
        cluster: 'c1',
        tsMs: t0 + windowMs + g,
        clientHash: `g${g}`,
      });
    }
    expect(ledger.openWindows).toBe(3);

    const flooded = ledger.close('x.cdn.pdme.test', 'c1', t0);
    expect(flooded).toMatchObject({
      rawCount: 5_008,
      cappedCount: 18,
      groups: 9,
      dominated: true,
      topGroup: 'attacker',
    });
    expect(ledger.close('x.cdn.pdme.test', 'c2', t0)).toMatchObject({
      rawCount: 8,
      cappedCount: 8,
      dominated: false,
    });
    expect(ledger.close('x.cdn.pdme.test', 'c1', t0)).toMatchObject({ rawCount: 0, cappedCount: 0 }); // forgotten

    expect(ledger.closeUntil(t0 + windowMs)).toEqual([]); // the next window is still open
    const [next, ...rest] = ledger.closeUntil(t0 + 2 * windowMs);
    expect(rest).toEqual([]);
    expect(next).toMatchObject({ windowStartMs: t0 + windowMs, cappedCount: 8 });
    expect(ledger.openWindows).toBe(0);
  });

  it('counts groups beyond the memory bound one contribution each', () => {
    const ledger = new InfluenceLedger({ windowMs, cap, maxGroupsPerWindow: 3 });
    for (let g = 0; g < 50; g += 1)
      ledger.add({ resource: 'r', cluster: 'c1', tsMs: t0, clientHash: `g${g}` });
    const result = ledger.close('r', 'c1', t0);
    expect(result.rawCount).toBe(50);
    expect(result.cappedCount).toBe(50);
    expect(result.groups).toBe(50);
  });
});
