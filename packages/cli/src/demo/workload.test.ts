import { describe, expect, it } from 'vitest';
import { planReplay } from './replayPlan.js';
import type { RequestRecord } from './replayRun.js';
import { summarizeRun } from './runSummary.js';
import { TraceBuilder } from '../sim/traceBuilder.js';
import { sizeClassKiB } from '../stack/originBlobs.js';
import { DEMO_WORKLOAD_DEFAULTS, generateDemoWorkload } from './workload.js';

const clusters = ['c1', 'c2'];
const workload = (seed: number) =>
  generateDemoWorkload({ ...DEMO_WORKLOAD_DEFAULTS, seed, clusters, requests: 2_000 });

describe('the demo workload', () => {
  it('is the same for the same seed', () => {
    const a = workload(7).trace;
    const b = workload(7).trace;
    expect([...a.tsMs]).toEqual([...b.tsMs]);
    expect(a.objectNames).toEqual(b.objectNames);
  });

  it('has a skewed popularity, new objects and both crowds', () => {
    const { trace, crowds } = workload(3);
    const counts = new Map<number, number>();
    for (const o of trace.object) counts.set(o, (counts.get(o) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    // Zipf-like: the busiest object alone outweighs the hundred least requested ones.
    expect(sorted[0] ?? 0).toBeGreaterThan(sorted.slice(-100).reduce((a, b) => a + b, 0) / 2);
    expect(trace.objectNames.length).toBeGreaterThan(DEMO_WORKLOAD_DEFAULTS.initialObjects);
    expect(crowds.map((c) => c.announced)).toEqual([true, false]);
    for (const crowd of crowds) {
      const id = trace.objectNames.indexOf(crowd.object);
      const times = [...trace.tsMs].filter((_, i) => trace.object[i] === id);
      expect(times.length).toBeGreaterThan(20);
      expect(Math.min(...times)).toBeGreaterThanOrEqual(crowd.startMs);
      expect(Math.max(...times)).toBeLessThan(crowd.endMs);
    }
    expect(new Set(trace.clusterNames)).toEqual(new Set(clusters));
  });

  it('has heavy-tailed sizes, each name carrying its size class', () => {
    const { trace } = workload(5);
    const sizes = [...trace.objectSize].sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)] ?? 0;
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    // Log-normal with sigma about 2: the mean is several times the median.
    expect(mean).toBeGreaterThan(3 * median);
    trace.objectNames.forEach((name, i) => {
      expect(name).toMatch(new RegExp(`-b${sizeClassKiB(trace.objectSize[i] ?? 0) ?? 'none'}k$`));
    });
  });
});

describe('planReplay', () => {
  it('labels trace paths with the size class of their bytes, none when the trace has no sizes', () => {
    const build = (bytes: number | undefined) => {
      const builder = new TraceBuilder();
      builder.add({ tsMs: 0, resource: '/a/movie.mpg', bytes, cluster: 'c1' });
      builder.add({
        tsMs: 1_000,
        resource: '/index.html',
        bytes: bytes === undefined ? undefined : 3_000,
        cluster: 'c2',
      });
      const trace = builder.build({ rows: 2, malformed: 0, examples: [], clusterColumn: 'cluster' });
      const options = {
        clusters,
        clientsPerCluster: 1,
        speed: 1,
        durationMs: 10_000,
        maxRate: Infinity,
        seed: 1,
      };
      return planReplay(trace, options).objects.map((o) => o.label);
    };
    expect(build(300_000)).toEqual(['video-0-b256k', 'web-1-b4k']);
    expect(build(undefined)).toEqual(['video-0', 'web-1']);
  });

  it('fits the trace into the duration and keeps every request by default', () => {
    const { trace } = workload(1);
    const plan = planReplay(trace, {
      clusters,
      clientsPerCluster: 8,
      speed: undefined,
      durationMs: 30_000,
      maxRate: Infinity,
      seed: 1,
    });
    expect(plan.requests).toHaveLength(trace.tsMs.length);
    expect(plan.sampled).toBe(1);
    expect(Math.max(...plan.requests.map((r) => r.atMs))).toBeLessThanOrEqual(30_000);
    expect(plan.requests.every((r, i) => r.id === i && r.client < 8)).toBe(true);
    expect(plan.objects.every((o) => /^(video|web)-/.test(o.label))).toBe(true);
  });

  it('samples down to the rate cap and cuts at the duration', () => {
    const { trace } = workload(1);
    const plan = planReplay(trace, {
      clusters,
      clientsPerCluster: 8,
      speed: undefined,
      durationMs: 10_000,
      maxRate: 50,
      seed: 1,
    });
    expect(plan.sampled).toBeLessThan(1);
    expect(plan.requests.length).toBeGreaterThan(300);
    expect(plan.requests.length).toBeLessThan(700);
    const cut = planReplay(trace, {
      clusters,
      clientsPerCluster: 8,
      speed: 86_400_000 / 20_000,
      durationMs: 10_000,
      maxRate: Infinity,
      seed: 1,
    });
    expect(Math.max(...cut.requests.map((r) => r.atMs))).toBeLessThan(10_000);
  });
});

describe('summarizeRun', () => {
  it('puts each record in exactly one bucket and one outcome', () => {
    const { trace } = workload(2);
    const plan = planReplay(trace, {
      clusters,
      clientsPerCluster: 4,
      speed: undefined,
      durationMs: 20_000,
      maxRate: Infinity,
      seed: 2,
    });
    const outcomes = ['hit', 'miss', 'error'] as const;
    const records: RequestRecord[] = plan.requests.map((r) => ({
      id: r.id,
      resource: `${plan.objects[r.object]?.label ?? ''}-x.cdn.pdme.test`,
      cluster: clusters[r.cluster] ?? '',
      sentMs: 1_000_000 + r.atMs,
      lagMs: 0,
      traceMs: r.traceMs,
      latencyMs: 1,
      outcome: outcomes[r.id % 3] ?? 'hit',
      route: 'edge',
      server: 'cache-c1-a',
      cacheStatus: undefined,
      status: 200,
      bodyBytes: 10,
      error: undefined,
    }));
    const summary = summarizeRun({
      mode: 'reactive',
      runLabel: 'x',
      plan,
      records,
      startedMs: 1_000_000,
      endedMs: 1_020_000,
      buckets: 7,
      pipeline: {
        mirrorCommands: 0,
        unmirrorCommands: 0,
        mirrorsCreated: 0,
        mirrorsRemoved: 0,
        mirrorsFailed: 0,
        lateMirrors: 0,
        dnsChanges: 0,
      },
      mirrors: [],
      origin: { requests: 0, bytes: 0 },
      crowds: [],
    });
    expect(summary.buckets.reduce((s, b) => s + b.requests, 0)).toBe(records.length);
    expect(summary.outcomes.hit + summary.outcomes.miss + summary.outcomes.error).toBe(records.length);
    expect(summary.outcomes.hit).toBe(Math.ceil(records.length / 3));
    expect(summary.hitRatio).toBeCloseTo(summary.outcomes.hit / records.length, 10);
  });
});
