import type { Histogram } from 'prom-client';

/** Cumulative bucket counts of a histogram, all label sets summed: upper bound (seconds) -> count. */
export interface BucketCounts {
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
}

/** p50 and p99 in milliseconds over some observations; null when there were none. */
export interface LatencyQuantiles {
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly count: number;
}

/** A prom-client histogram's buckets, summed over its label sets (the +Inf bucket last). */
export async function histogramBuckets(histogram: Histogram): Promise<BucketCounts> {
  const byBound = new Map<number, number>();
  for (const sample of (await histogram.get()).values) {
    if (!sample.metricName?.endsWith('_bucket')) continue;
    const le = sample.labels['le'];
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    if (Number.isNaN(bound)) continue;
    byBound.set(bound, (byBound.get(bound) ?? 0) + sample.value);
  }
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  return { bounds, counts: bounds.map((b) => byBound.get(b) ?? 0) };
}

/** Observations made between `older` and `newer` (same bucket layout), as cumulative counts. */
export function bucketDelta(newer: BucketCounts, older: BucketCounts | undefined): BucketCounts {
  if (older === undefined || older.bounds.length !== newer.bounds.length) return newer;
  return {
    bounds: newer.bounds,
    counts: newer.counts.map((c, i) => Math.max(0, c - (older.counts[i] ?? 0))),
  };
}

/**
 * The q-quantile (seconds) of cumulative bucket counts, interpolated linearly inside the bucket that
 * holds it, as Prometheus' histogram_quantile does: exact only to the bucket layout. A quantile in
 * the +Inf bucket is reported as the highest finite bound.
 */
export function bucketQuantile(buckets: BucketCounts, q: number): number | null {
  const total = buckets.counts[buckets.counts.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (let i = 0; i < buckets.bounds.length; i++) {
    const bound = buckets.bounds[i] ?? 0;
    const count = buckets.counts[i] ?? 0;
    if (count >= rank) {
      if (!Number.isFinite(bound)) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket <= 0 ? bound : lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

export function latencyQuantiles(buckets: BucketCounts): LatencyQuantiles {
  const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1e6) / 1e3);
  return {
    p50Ms: ms(bucketQuantile(buckets, 0.5)),
    p99Ms: ms(bucketQuantile(buckets, 0.99)),
    count: buckets.counts[buckets.counts.length - 1] ?? 0,
  };
}

/**
 * p50/p99 of a histogram over a sliding span (the last `spanSnapshots` calls of `summarize`): the
 * histogram is cumulative since the process started, so each summary subtracts the snapshot taken
 * that many calls ago. Until then it covers everything since the start.
 */
export class SlidingHistogramSummary {
  private readonly snapshots: BucketCounts[] = [];

  constructor(
    private readonly histogram: Histogram,
    private readonly spanSnapshots: number,
  ) {}

  async summarize(): Promise<LatencyQuantiles> {
    const now = await histogramBuckets(this.histogram);
    const oldest = this.snapshots.length >= this.spanSnapshots ? this.snapshots[0] : undefined;
    this.snapshots.push(now);
    while (this.snapshots.length > this.spanSnapshots) this.snapshots.shift();
    return latencyQuantiles(bucketDelta(now, oldest));
  }
}
