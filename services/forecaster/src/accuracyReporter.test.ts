import { AccuracyReportSchema, accuracyRatios } from '@pdme/common/stats-reports';
import { describe, expect, it } from 'vitest';
import { buildAccuracyReport } from './accuracyReporter.js';
import { SeriesForecaster } from './seriesForecaster.js';

const WINDOW_MS = 5_000;

function feed(forecaster: SeriesForecaster, resource: string, counts: readonly number[]): void {
  counts.forEach((count, i) =>
    forecaster.observe(
      { resource, cluster: 'c1', windowStartMs: i * WINDOW_MS, windowMs: WINDOW_MS, count },
      (i + 1) * WINDOW_MS,
    ),
  );
}

describe('buildAccuracyReport', () => {
  it('lists the top series by scored volume with totals that move as windows close', () => {
    const forecaster = new SeriesForecaster({ horizonSteps: 3, minChange: 0.1 });
    feed(forecaster, 'big.example', [100, 110, 90, 105]);
    feed(forecaster, 'mid.example', [10, 12, 9, 11]);
    feed(forecaster, 'small.example', [1, 2, 1, 2]);
    const options = { instance: 'i1', windowMs: WINDOW_MS, topSeries: 2, atMs: 1, freshForMs: 15_000 };
    const before = AccuracyReportSchema.parse(buildAccuracyReport(forecaster, options));
    expect(before.series).toBe(3);
    expect(before.topSeries.map((s) => s.resource)).toEqual(['big.example', 'mid.example']);
    // The first window of each series is not scored (nothing was forecast for it).
    expect(before.topSeries[0]).toMatchObject({ cluster: 'c1', points: 3, absActual: 305 });
    const points = (r: typeof before) => r.byModel.reduce((n, m) => n + m.points, 0);
    expect(points(before)).toBe(9);

    feed(forecaster, 'small.example', [1, 2, 1, 2, 400, 420]);
    const after = buildAccuracyReport(forecaster, options);
    expect(after.topSeries.map((s) => s.resource)).toEqual(['small.example', 'big.example']);
    expect(points(after)).toBe(15);
    const small = after.topSeries[0];
    expect(small === undefined ? null : accuracyRatios(small).wape).toBeGreaterThan(0.5);
  });
});
