import { describe, expect, it } from 'vitest';
import { parseCapacity, resolveCapacity, splitEvenly } from './capacitySpec.js';
import { parseDuration } from './duration.js';

describe('capacity and duration options', () => {
  it('resolves objects and percentages of the distinct total', () => {
    expect(resolveCapacity(parseCapacity('5%', 'c'), 1739)).toBe(87);
    expect(resolveCapacity(parseCapacity('40', 'c'), 1739)).toBe(40);
    expect(() => parseCapacity('0%', 'c')).toThrow(/percentage/);
    expect(() => parseCapacity('lots', 'c')).toThrow(/positive/);
  });

  it('splits capacity evenly over clusters, remainder first', () => {
    expect([0, 1, 2].map((i) => splitEvenly(10, 3, i))).toEqual([4, 3, 3]);
    expect(splitEvenly(Infinity, 3, 1)).toBe(Infinity);
  });

  it('parses durations', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('30')).toBe(30_000);
    expect(() => parseDuration('soon')).toThrow(/duration/);
  });
});
