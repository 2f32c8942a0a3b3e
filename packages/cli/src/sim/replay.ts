import type { SeriesForecast } from '@pdme/forecaster';
import { splitEvenly } from './capacitySpec.js';
import { ForecastFeed } from './forecastFeed.js';
import type { MoveStats, Scoring, SimPolicy } from './policies/policy.js';
import { POLICIES } from './policies/policyNames.js';
import type { Trace } from './trace.js';

export interface ReplayOptions {
  readonly policies: readonly string[];
  /** Total room in objects and bytes over all clusters (Infinity for the one not set). */
  readonly capacityObjects: number;
  readonly capacityBytes: number;
  /** Fraction of requests (0..1) that only teach. */
  readonly warmup: number;
  readonly windowMs: number;
  readonly horizonSteps: number;
  readonly minChange: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface PolicyResult {
  readonly policy: string;
  readonly requests: number;
  readonly hits: number;
  readonly proactiveHits: number;
  readonly bytes: number;
  readonly hitBytes: number;
  readonly stats: MoveStats;
  /** Hit ratio per scored window, for the plot. */
  readonly perWindow: readonly { readonly startMs: number; readonly hitRatio: number }[];
}

interface Tally {
  hits: number;
  proactiveHits: number;
  hitBytes: number;
  windowHits: number;
  perWindow: { startMs: number; hitRatio: number }[];
  readonly stats: MoveStats;
}

/**
 * Replays a trace through the forecaster's core and every policy in one pass. Each cluster is its
 * own cache with an even share of the capacity; every policy sees the same requests and the same
 * forecasts. The first `warmup` of requests only teach; the rest are scored.
 */
export function replay(trace: Trace, options: ReplayOptions): PolicyResult[] {
  const n = trace.tsMs.length;
  const clusters = trace.clusterNames.length;
  const warmupEnd = Math.floor(n * options.warmup);
  const scoring: Scoring = { on: false };
  const feed = new ForecastFeed(trace, options);
  const tallies: Tally[] = options.policies.map(() => ({
    hits: 0,
    proactiveHits: 0,
    hitBytes: 0,
    windowHits: 0,
    perWindow: [],
    stats: { bytesMoved: 0, dnsChanges: 0, lateMirrors: 0 },
  }));
  const instances: SimPolicy[][] = options.policies.map((name, p) => {
    const entry = POLICIES[name];
    if (entry === undefined) throw new Error(`unknown policy ${name}`);
    return trace.clusterNames.map((_, cluster) =>
      entry.factory({
        trace,
        cluster,
        capacityObjects: splitEvenly(options.capacityObjects, clusters, cluster),
        capacityBytes: splitEvenly(options.capacityBytes, clusters, cluster),
        warmupEnd,
        windowMs: options.windowMs,
        stats: tallies[p]?.stats ?? { bytesMoved: 0, dnsChanges: 0, lateMirrors: 0 },
        scoring,
      }),
    );
  });
  let windowStart = -Infinity;
  let windowRequests = 0;
  let scoredBytes = 0;
  const endWindow = (): void => {
    if (windowRequests === 0) return;
    for (const tally of tallies) {
      tally.perWindow.push({ startMs: windowStart, hitRatio: tally.windowHits / windowRequests });
      tally.windowHits = 0;
    }
    windowRequests = 0;
  };
  for (let i = 0; i < n; i++) {
    const ts = trace.tsMs[i] ?? 0;
    const start = Math.floor(ts / options.windowMs) * options.windowMs;
    if (start > windowStart) {
      endWindow();
      const published = feed.close(start);
      windowStart = start;
      for (const perCluster of instances) {
        perCluster.forEach((policy, cluster) =>
          policy.onWindow({
            startMs: start,
            fromIndex: i,
            latest: feed.latest[cluster] ?? new Map<number, SeriesForecast>(),
            published: published[cluster] ?? [],
          }),
        );
      }
    }
    if (i === warmupEnd) {
      scoring.on = true;
      for (const perCluster of instances) for (const policy of perCluster) policy.onScoringStart(i);
    }
    const cluster = trace.cluster[i] ?? 0;
    const bytes = trace.bytes[i] ?? 0;
    if (scoring.on) {
      windowRequests++;
      scoredBytes += bytes;
    }
    instances.forEach((perCluster, p) => {
      const outcome = perCluster[cluster]?.access(i) ?? 'miss';
      const tally = tallies[p];
      if (!scoring.on || tally === undefined || outcome === 'miss') return;
      tally.hits++;
      tally.windowHits++;
      tally.hitBytes += bytes;
      if (outcome === 'proactive') tally.proactiveHits++;
    });
    feed.add(i);
    if ((i & 0x3fff) === 0) options.onProgress?.(i, n);
  }
  endWindow();
  options.onProgress?.(n, n);
  return options.policies.map((policy, p) => {
    const tally = tallies[p];
    return {
      policy,
      requests: n - warmupEnd,
      hits: tally?.hits ?? 0,
      proactiveHits: tally?.proactiveHits ?? 0,
      bytes: scoredBytes,
      hitBytes: tally?.hitBytes ?? 0,
      stats: tally?.stats ?? { bytesMoved: 0, dnsChanges: 0, lateMirrors: 0 },
      perWindow: tally?.perWindow ?? [],
    };
  });
}
