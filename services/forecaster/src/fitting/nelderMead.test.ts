import { describe, expect, it } from 'vitest';
import { nelderMead, squash, unsquash } from './nelderMead.js';

describe('nelderMead', () => {
  it('finds the minimum of the Rosenbrock function at (1, 1)', () => {
    const rosenbrock = ([x = 0, y = 0]: number[]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    const best = nelderMead(rosenbrock, [-1.2, 1], { maxEvaluations: 2000, tolerance: 1e-12 });
    expect(best.x[0]).toBeCloseTo(1, 3);
    expect(best.x[1]).toBeCloseTo(1, 3);
  });

  it('maps through the box and back', () => {
    expect(squash(unsquash(0.3, 0.1, 0.9), 0.1, 0.9)).toBeCloseTo(0.3, 9);
    expect(squash(-50, 0.1, 0.9)).toBeGreaterThanOrEqual(0.1);
  });
});
