import { describe, expect, it } from 'vitest';
import { thresholdForCapacity } from './thresholdForCapacity.js';

describe('thresholdForCapacity', () => {
  it('is the demand of the first resource that no longer fits', () => {
    const rates = [9, 3, 7, 1, 5].map((rate) => ({ rate, size: 1 }));
    expect(thresholdForCapacity(rates, 2)).toBe(5);
    expect(thresholdForCapacity(rates, 5)).toBe(0);
  });

  it('counts sizes when capacity is in bytes', () => {
    const resources = [
      { rate: 10, size: 600 },
      { rate: 8, size: 300 },
      { rate: 6, size: 200 },
    ];
    expect(thresholdForCapacity(resources, 1000)).toBe(6);
  });
});
