import type { AccuracyReport, LatencyReport } from '@pdme/common/stats-reports';
import { describe, expect, it } from 'vitest';
import { predictionAccuracy, serviceLatencies, toProtoAccuracy } from './statsAccuracy.js';

const NOW = 1_700_000_000_000;

function report(instance: string, atMs: number, overrides: Partial<AccuracyReport> = {}): AccuracyReport {
  return {
    instance,
    atMs,
    freshForMs: 15_000,
    windowMs: 5_000,
    series: 2,
    byModel: [{ model: 'naive', absError: 10, absActual: 100, naiveError: 20, covered: 8, points: 10 }],
    topSeries: [
      {
        resource: `a-${instance}.example`,
        cluster: 'c1',
        model: 'naive',
        recentVolume: 30,
        absError: 4,
        absActual: 60,
        naiveError: 5,
        covered: 5,
        points: 6,
      },
      {
        resource: `b-${instance}.example`,
        cluster: 'c2',
        model: 'naive',
        recentVolume: 10,
        absError: 6,
        absActual: 40,
        naiveError: 0,
        covered: 3,
        points: 4,
      },
    ],
    ...overrides,
  };
}

const hashOf = (...reports: AccuracyReport[]) =>
  new Map(reports.map((r) => [r.instance, JSON.stringify(r)] as [string, string]));

describe('predictionAccuracy', () => {
  it('sums fresh instances before taking ratios and ranks series by volume', () => {
    const other = report('2', NOW - 1_000, {
      byModel: [{ model: 'naive', absError: 30, absActual: 100, naiveError: 20, covered: 2, points: 10 }],
    });
    const accuracy = predictionAccuracy(
      hashOf(report('1', NOW), other),
      {},
      {
        nowMs: NOW,
        maxSeries: 3,
        onInvalid: () => undefined,
      },
    );
    expect(accuracy.byModel).toEqual([{ model: 'naive', mase: 1, wape: 0.2, coverage90: 0.5, points: 20 }]);
    expect(accuracy.overall).toEqual({ mase: 1, wape: 0.2, coverage90: 0.5, points: 20 });
    expect(accuracy.instances).toBe(2);
    expect(accuracy.seriesTracked).toBe(4);
    expect(accuracy.reportedMs).toBe(NOW);
    expect(accuracy.series.map((s) => s.resource)).toEqual(['a-1.example', 'a-2.example', 'b-1.example']);
    expect(accuracy.series[0]).toMatchObject({ volume: 60, mase: 0.8, wape: 4 / 60, coverage90: 5 / 6 });
    expect(accuracy.series[2]?.mase).toBeNull(); // no naive error: MASE undefined
  });

  it('narrows series by cluster and resource, ignores stale reports and counts bad ones', () => {
    const invalid: string[] = [];
    const hash = hashOf(report('1', NOW), report('old', NOW - 60_000));
    hash.set('junk', '{"instance":1}');
    const accuracy = predictionAccuracy(
      hash,
      { cluster: 'c2' },
      {
        nowMs: NOW,
        maxSeries: 10,
        onInvalid: (field) => invalid.push(field),
      },
    );
    expect(accuracy.instances).toBe(1);
    expect(accuracy.series.map((s) => s.resource)).toEqual(['b-1.example']);
    expect(invalid).toEqual(['junk']);
    const one = predictionAccuracy(
      hash,
      { resource: 'a-1.example' },
      {
        nowMs: NOW,
        maxSeries: 10,
        onInvalid: () => undefined,
      },
    );
    expect(one.series.map((s) => `${s.cluster}/${s.resource}`)).toEqual(['c1/a-1.example']);
  });

  it('maps to the proto form with NaN for undefined ratios', () => {
    const proto = toProtoAccuracy(
      predictionAccuracy(new Map(), {}, { nowMs: NOW, maxSeries: 1, onInvalid: () => undefined }),
    );
    expect(proto.overall?.model).toBe('all');
    expect(proto.overall?.mase).toBeNaN();
    expect(proto.reportedMs).toBe(0);
    expect(proto.instances).toBe(0);
  });
});

describe('serviceLatencies', () => {
  it('lists fresh summaries in a stable order without their freshness', () => {
    const summary = (service: string, atMs: number): LatencyReport => ({
      service,
      instance: '7',
      name: 'x',
      description: 'd',
      p50Ms: 1,
      p99Ms: null,
      count: 0,
      spanMs: 300_000,
      atMs,
      freshForMs: 15_000,
    });
    const hash = new Map([
      ['forecaster/x/7', JSON.stringify(summary('forecaster', NOW))],
      ['decision/x/7', JSON.stringify(summary('decision', NOW - 1))],
      ['dns-updater/x/7', JSON.stringify(summary('dns-updater', NOW - 20_000))],
    ]);
    const latencies = serviceLatencies(hash, { nowMs: NOW, onInvalid: () => undefined });
    expect(latencies.map((l) => l.service)).toEqual(['decision', 'forecaster']);
    expect(latencies[0]).not.toHaveProperty('freshForMs');
  });
});
