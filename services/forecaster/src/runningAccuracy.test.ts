import { describe, expect, it } from 'vitest';
import { RunningAccuracy } from './runningAccuracy.js';
import { SeriesForecaster } from './seriesForecaster.js';

describe('RunningAccuracy', () => {
  it('accumulates WAPE, naive-scaled MASE and p90 coverage per series and per model', () => {
    const accuracy = new RunningAccuracy();
    accuracy.reset(3000); // grows past its initial rows
    accuracy.record(3000, 'm', { actual: 10, mean: 8, p90: 12, previous: 6 });
    accuracy.record(3000, 'm', { actual: 20, mean: 14, p90: 18, previous: 10 });
    const row = accuracy.ofRow(3000);
    expect(row.points).toBe(2);
    expect(row.wape).toBeCloseTo(8 / 30);
    expect(row.mase).toBeCloseTo(8 / 14);
    expect(row.coverage90).toBe(0.5);
    expect(accuracy.byModel().get('m')).toEqual(row);
    accuracy.reset(3000);
    expect(accuracy.ofRow(3000).points).toBe(0);
  });

  it('scores each live forecast against the next window', () => {
    const forecaster = new SeriesForecaster({ horizonSteps: 3, minChange: 0.1 });
    const counts = [5, 7, 6, 8, 7, 9, 8, 10, 9, 11];
    counts.forEach((count, i) =>
      forecaster.observe({ resource: 'r', cluster: 'c', windowStartMs: i * 1000, windowMs: 1000, count }, i),
    );
    const series = forecaster.seriesAccuracy('r', 'c');
    expect(series?.points).toBe(counts.length - 1);
    expect(series?.wape).toBeGreaterThan(0);
    expect(series?.wape).toBeLessThan(0.5);
    expect(forecaster.seriesAccuracy('other', 'c')).toBeUndefined();
    const total = [...forecaster.accuracyByModel().values()].reduce((n, a) => n + a.points, 0);
    expect(total).toBe(counts.length - 1);
  });
});
