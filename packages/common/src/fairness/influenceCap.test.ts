import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capInfluence, floodBound, type InfluenceCapOptions } from './influenceCap.js';

const options: InfluenceCapOptions = {
  perGroupFloor: 10,
  maxShare: 0.2,
  dominanceShare: 0.5,
  minFlagCount: 100,
};

/** `groups` client groups sending `each` queries, named with a prefix so crowds do not collide. */
function crowd(prefix: string, groups: number, each: number): Array<[string, number]> {
  return Array.from({ length: groups }, (_, i) => [`${prefix}${i}`, each]);
}

describe('capInfluence', () => {
  it('a flooding group cannot push a resource over a threshold the rest does not reach', () => {
    const threshold = 100; // mirror when a window holds more than this
    const population = crowd('p', 6, 3); // 18 queries from 6 groups: well under
    expect(capInfluence(population, options).cappedCount).toBeLessThan(threshold);

    for (const flood of [100, 10_000, 1_000_000]) {
      const result = capInfluence([...population, ['attacker', flood]], options);
      expect(result.rawCount).toBe(18 + flood);
      expect(result.cappedCount).toBeLessThanOrEqual(threshold);
      expect(result.cappedCount).toBe(18 + 10); // the attacker counts like one busy group
      expect(result.cappedGroups).toBe(1);
      expect(result.topGroup).toBe('attacker');
      expect(result.dominated).toBe(true);
    }
  });

  it('a broad crowd counts in full and is not flagged', () => {
    const broad = crowd('c', 500, 5);
    const result = capInfluence(broad, options);
    expect(result.cappedCount).toBe(2500);
    expect(result.rawCount).toBe(2500);
    expect(result.groups).toBe(500);
    expect(result.cappedGroups).toBe(0);
    expect(result.dominated).toBe(false);
  });

  it('a heavy but legitimate group inside a broad crowd keeps its share up to the cap', () => {
    const result = capInfluence([...crowd('c', 200, 10), ['big-nat', 300]], options);
    // broad base 2010, cap = max(10, floor(0.2 * 2010)) = 402: the NAT's 300 pass untouched
    expect(result.groupCap).toBe(402);
    expect(result.cappedCount).toBe(2300);
    expect(result.dominated).toBe(false);
  });

  it('does not flag tiny windows, and handles empty ones', () => {
    expect(
      capInfluence(
        [
          ['a', 30],
          ['b', 1],
        ],
        options,
      ).dominated,
    ).toBe(false);
    const empty = capInfluence([], options);
    expect(empty).toMatchObject({
      rawCount: 0,
      cappedCount: 0,
      groups: 0,
      dominated: false,
      topGroup: undefined,
    });
  });

  it('refuses nonsense options', () => {
    expect(() => capInfluence([], { ...options, maxShare: 2 })).toThrow(RangeError);
    expect(() => capInfluence([], { ...options, perGroupFloor: 0 })).toThrow(RangeError);
  });

  it('property: one group adds at most floodBound, whatever it sends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (others, flood) => {
          const population = others.map((n, i): [string, number] => [`g${i}`, n]);
          const othersRaw = others.reduce((sum, n) => sum + n, 0);
          const othersBase = others.reduce((sum, n) => sum + Math.min(n, options.perGroupFloor), 0);
          const withFlood = capInfluence([...population, ['flood', flood]], options);
          expect(withFlood.cappedCount).toBeLessThanOrEqual(othersRaw + floodBound(othersBase, options));
          expect(withFlood.cappedCount).toBeLessThanOrEqual(withFlood.rawCount);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: groups that stay under the floor always count in full', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: options.perGroupFloor }), { maxLength: 300 }),
        (counts) => {
          const result = capInfluence(
            counts.map((n, i): [string, number] => [`g${i}`, n]),
            options,
          );
          expect(result.cappedCount).toBe(result.rawCount);
        },
      ),
      { numRuns: 300 },
    );
  });
});
