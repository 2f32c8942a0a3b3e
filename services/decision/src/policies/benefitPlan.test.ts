import { describe, expect, it } from 'vitest';
import { expectedBenefit, planByBenefit, type BenefitCandidate } from './benefitPlan.js';

const costs = { savedPerHit: 1, transferPerUnit: 0.01 };
const c = (resource: string, predictedHits: number, size: number, resident = false): BenefitCandidate => ({
  resource,
  predictedHits,
  size,
  resident,
});

describe('planByBenefit', () => {
  it('charges the transfer only to resources not yet cached', () => {
    expect(expectedBenefit(c('a', 10, 100), costs)).toBe(9);
    expect(expectedBenefit(c('a', 10, 100, true), costs)).toBe(10);
  });

  it('ranks by benefit per byte and skips what does not fit', () => {
    // per byte: small 9/100 = 0.09, big 49/1000 = 0.049, mid 15/400 = 0.0375; room 1200.
    const chosen = planByBenefit(
      [c('big', 59, 1000), c('small', 10, 100), c('mid', 19, 400)],
      { size: 1200, objects: Infinity },
      costs,
    );
    expect(chosen.map((x) => x.resource)).toEqual(['small', 'big']);
  });

  it('leaves out resources whose transfer outweighs their hits, and respects an object limit', () => {
    const chosen = planByBenefit(
      [c('cold', 0.5, 100), c('a', 5, 1), c('b', 4, 1)],
      { size: 1000, objects: 1 },
      costs,
    );
    expect(chosen.map((x) => x.resource)).toEqual(['a']);
  });

  it('keeps a resident resource against a challenger that cannot pay for its move', () => {
    const unit = { savedPerHit: 1, transferPerUnit: 1 };
    const chosen = planByBenefit([c('new', 3.5, 1), c('old', 3, 1, true)], { size: 1, objects: 1 }, unit);
    expect(chosen.map((x) => x.resource)).toEqual(['old']);
  });
});
