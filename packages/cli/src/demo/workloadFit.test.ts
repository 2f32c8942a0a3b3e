import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@pdme/common/repo-root';
import {
  FITTED_WORKLOAD,
  dailyFactor,
  fitDailyCycle,
  fitNewObjectsPerHour,
  fitObjectSizes,
  fitZipfExponent,
} from './workloadFit.js';

const data = join(repoRoot(), '..', 'shared', 'data');
const nasa = join(data, 'nasa-http-19950801', 'requests.csv.gz');
const nab = join(data, 'nab-aws-elb-requests', 'series.csv');

describe('the workload fit', () => {
  it('recovers the exponent of an exact Zipf law', () => {
    const counts = Array.from({ length: 300 }, (_, i) => 1e6 / (i + 1) ** 0.8);
    expect(fitZipfExponent(counts)).toBeCloseTo(0.8, 6);
  });

  it('recovers amplitude and peak of a pure daily cosine', () => {
    const points = Array.from({ length: 24 * 12 * 3 }, (_, i) => {
      const tsMs = i * 300_000;
      const hour = (tsMs / 3_600_000) % 24;
      return { tsMs, value: 100 * (1 + 0.5 * Math.cos((2 * Math.PI * (hour - 15)) / 24)) };
    });
    const fit = fitDailyCycle(points);
    expect(fit.amplitude).toBeCloseTo(0.5, 2);
    expect(fit.peakHour).toBeCloseTo(15, 0);
  });

  it('has a daily factor with mean one', () => {
    const mean =
      Array.from({ length: 240 }, (_, i) => dailyFactor(FITTED_WORKLOAD, i / 10)).reduce((a, b) => a + b) /
      240;
    expect(mean).toBeCloseTo(1, 6);
  });

  it('recovers the parameters of log-normal sizes', () => {
    // Exact quantiles of ln-normal(8, 1.5) at 1001 evenly spread probabilities (probit by bisection).
    const probit = (p: number): number => {
      let lo = -10;
      let hi = 10;
      for (let i = 0; i < 100; i++) {
        const mid = (lo + hi) / 2;
        if (normalCdf(mid) < p) lo = mid;
        else hi = mid;
      }
      return lo;
    };
    const sizes = Array.from({ length: 1001 }, (_, i) => Math.exp(8 + 1.5 * probit((i + 0.5) / 1001)));
    const fit = fitObjectSizes([...sizes, 0]);
    expect(fit.logMean).toBeCloseTo(8, 6);
    expect(fit.logSigma).toBeCloseTo(1.5, 1);
  });

  it.skipIf(!existsSync(nasa))('matches the NASA trace (popularity skew, new objects, sizes)', () => {
    const rows = gunzipSync(readFileSync(nasa)).toString('utf8').trim().split('\n').slice(1);
    const counts = new Map<string, number>();
    const first = new Map<string, number>();
    const sizes = new Map<string, number>();
    let start = Infinity;
    let end = -Infinity;
    for (const row of rows) {
      const [ts, resource] = row.split(',');
      if (ts === undefined || resource === undefined) continue;
      // A quoted URL may hold commas: the size is the next to last field, the URL all before it.
      const fields = row.split(',');
      const bytes = fields.at(-2);
      if (bytes !== undefined && bytes !== '') sizes.set(fields.slice(1, -2).join(','), Number(bytes));
      const tsMs = Number(ts) * 1000;
      start = Math.min(start, tsMs);
      end = Math.max(end, tsMs);
      counts.set(resource, (counts.get(resource) ?? 0) + 1);
      if (!first.has(resource)) first.set(resource, tsMs);
    }
    expect(fitZipfExponent([...counts.values()])).toBeCloseTo(FITTED_WORKLOAD.zipfExponent, 2);
    expect(fitNewObjectsPerHour([...first.values()], start, end)).toBeCloseTo(
      FITTED_WORKLOAD.newObjectsPerHour,
      2,
    );
    const size = fitObjectSizes([...sizes.values()]);
    expect(size.logMean).toBeCloseTo(FITTED_WORKLOAD.sizeLogMean, 2);
    expect(size.logSigma).toBeCloseTo(FITTED_WORKLOAD.sizeLogSigma, 2);
  });

  it.skipIf(!existsSync(nab))('matches the NAB ELB series (daily cycle)', () => {
    const points = readFileSync(nab, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [ts, value] = line.split(',');
        return {
          tsMs: Date.parse(ts ?? ''),
          value: value === undefined || value === '' ? Number.NaN : Number(value),
        };
      });
    const fit = fitDailyCycle(points);
    expect(fit.amplitude).toBeCloseTo(FITTED_WORKLOAD.dailyAmplitude, 2);
    expect(Math.abs(fit.peakHour - FITTED_WORKLOAD.dailyPeakHour)).toBeLessThan(0.1);
  });
});

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, error below 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
