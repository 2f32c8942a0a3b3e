import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { bucketQuantile, histogramBuckets, SlidingHistogramSummary } from './latencySummary.js';

function newHistogram() {
  return new Histogram({
    name: 'test_seconds',
    help: 'test',
    labelNames: ['kind'],
    buckets: [0.01, 0.1, 1],
    registers: [new Registry()],
  });
}

describe('latency summaries from a histogram', () => {
  it('interpolates quantiles inside buckets, summed over label sets', async () => {
    const histogram = newHistogram();
    for (let i = 0; i < 50; i++) histogram.observe({ kind: 'a' }, 0.005);
    for (let i = 0; i < 49; i++) histogram.observe({ kind: 'b' }, 0.05);
    histogram.observe({ kind: 'b' }, 5);
    const buckets = await histogramBuckets(histogram);
    expect(buckets.counts).toEqual([50, 99, 99, 100]);
    expect(bucketQuantile(buckets, 0.5)).toBeCloseTo(0.01, 6); // rank 50: top of the first bucket
    expect(bucketQuantile(buckets, 0.25)).toBeCloseTo(0.005, 6);
    expect(bucketQuantile(buckets, 0.995)).toBe(1); // in +Inf: the highest finite bound
    expect(bucketQuantile({ bounds: [1, Infinity], counts: [0, 0] }, 0.5)).toBeNull();
  });

  it('covers only the span since the oldest snapshot kept', async () => {
    const histogram = newHistogram();
    const sliding = new SlidingHistogramSummary(histogram, 2);
    histogram.observe({ kind: 'a' }, 0.5);
    expect((await sliding.summarize()).count).toBe(1); // since the start
    histogram.observe({ kind: 'a' }, 0.005);
    expect((await sliding.summarize()).count).toBe(2);
    histogram.observe({ kind: 'a' }, 0.005);
    const third = await sliding.summarize(); // minus the first snapshot: the two fast ones
    expect(third.count).toBe(2);
    expect(third.p99Ms).toBeLessThanOrEqual(10);
    const idle = await sliding.summarize();
    expect(idle.count).toBe(1);
    expect((await sliding.summarize()).p50Ms).toBeNull();
  });
});
