import type { Outcome } from './clientRequest.js';
import type { PipelineCounts, MirrorTimeline, ForecastPoint } from './pipelineWatch.js';
import type { ReplayPlan } from './replayPlan.js';
import type { RequestRecord } from './replayRun.js';

export type RunMode = 'reactive' | 'pdme';

export interface Bucket {
  /** Trace time the bucket starts at, and real time from the run's start. */
  readonly traceMs: number;
  readonly realMs: number;
  requests: number;
  hit: number;
  miss: number;
  error: number;
}

/** A mirror PDME placed in the run, with what it meant for the clients. */
export interface MirrorFigures {
  readonly resource: string;
  readonly cluster: string;
  readonly server: string;
  /** The signal: the announcement (announced crowd) or the resource's first query in the cluster. */
  readonly signal: 'announcement' | 'first query';
  readonly signalMs: number;
  readonly visibleMs: number | undefined;
  readonly signalToVisibleMs: number | undefined;
  /** First replayed request for the resource in the cluster. */
  readonly demandMs: number | undefined;
  /** demand - visible: positive when the mirror was live before the resource's demand. */
  readonly leadMs: number | undefined;
  readonly late: boolean | undefined;
  readonly failed: string | undefined;
}

export interface CrowdFigures {
  readonly resource: string;
  readonly announced: boolean;
  readonly announcedMs: number | undefined;
  readonly firstRequestMs: number | undefined;
  readonly requests: number;
  readonly hits: number;
  /** Per cluster: when the CNAME was seen, and how long before the crowd's first request there. */
  readonly clusters: readonly { cluster: string; visibleMs?: number; leadMs?: number }[];
}

export interface RunSummary {
  readonly mode: RunMode;
  readonly runLabel: string;
  readonly startedMs: number;
  readonly endedMs: number;
  readonly planned: number;
  readonly outcomes: Record<Outcome, number>;
  /** hits / requests (errors count as not served by a cache). */
  readonly hitRatio: number;
  /** Requests the DNS answer sent to a PDME mirror, and how many of those hit. */
  readonly viaMirror: number;
  readonly viaMirrorHits: number;
  /** Sum of the trace sizes of the requests that missed: what a real origin would have sent. */
  readonly traceBytesMissed: number;
  readonly traceBytes: number;
  /** Measured at the origin (its access log): requests and body bytes for this run's names, warming included. */
  readonly origin: { readonly requests: number; readonly bytes: number };
  readonly pipeline: PipelineCounts;
  readonly mirrors: readonly MirrorFigures[];
  readonly crowds: readonly CrowdFigures[];
  readonly buckets: readonly Bucket[];
  /** Lateness of sending against the plan (machine load): p50 and max. */
  readonly sendLagMs: { readonly p50: number; readonly max: number };
}

export interface SummaryInput {
  readonly mode: RunMode;
  readonly runLabel: string;
  readonly plan: ReplayPlan;
  readonly records: readonly RequestRecord[];
  readonly startedMs: number;
  readonly endedMs: number;
  readonly buckets: number;
  readonly pipeline: PipelineCounts;
  readonly mirrors: readonly MirrorTimeline[];
  readonly origin: { readonly requests: number; readonly bytes: number };
  /** The crowds of the workload, by DNS name, with the announcement time of announced ones. */
  readonly crowds: readonly { resource: string; announced: boolean; announcedMs: number | undefined }[];
}

export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Everything the report says about one run, computed from its records and the pipeline's events. */
export function summarizeRun(input: SummaryInput): RunSummary {
  const { plan, records } = input;
  const outcomes: Record<Outcome, number> = { hit: 0, miss: 0, error: 0 };
  const bucketMs = Math.max(1, plan.durationMs / input.buckets);
  const buckets: Bucket[] = Array.from({ length: input.buckets }, (_, i) => ({
    traceMs: plan.traceStartMs + i * bucketMs * plan.speed,
    realMs: i * bucketMs,
    requests: 0,
    hit: 0,
    miss: 0,
    error: 0,
  }));
  const firstRequest = new Map<string, number>();
  let viaMirror = 0;
  let viaMirrorHits = 0;
  let traceBytes = 0;
  let traceBytesMissed = 0;
  const lags: number[] = [];
  for (const record of records) {
    const planned = plan.requests[record.id];
    if (planned === undefined) continue;
    outcomes[record.outcome]++;
    const bucket = buckets[Math.min(input.buckets - 1, Math.floor(planned.atMs / bucketMs))];
    if (bucket !== undefined) {
      bucket.requests++;
      bucket[record.outcome]++;
    }
    const key = `${record.cluster} ${record.resource}`;
    const seen = firstRequest.get(key);
    if (seen === undefined || record.sentMs < seen) firstRequest.set(key, record.sentMs);
    if (record.route === 'mirror') {
      viaMirror++;
      if (record.outcome === 'hit') viaMirrorHits++;
    }
    const bytes = plan.objects[planned.object]?.bytes ?? 0;
    traceBytes += bytes;
    if (record.outcome !== 'hit') traceBytesMissed += bytes;
    lags.push(record.lagMs);
  }
  const announced = new Map(input.crowds.filter((c) => c.announced).map((c) => [c.resource, c.announcedMs]));
  const mirrors = input.mirrors.map((m): MirrorFigures => {
    const demandMs = firstRequest.get(`${m.cluster} ${m.resource}`);
    const announcedMs = announced.get(m.resource);
    const signalMs = announcedMs ?? demandMs ?? m.commandedMs;
    return {
      resource: m.resource,
      cluster: m.cluster,
      server: m.server,
      signal: announcedMs !== undefined ? 'announcement' : 'first query',
      signalMs,
      visibleMs: m.visibleMs,
      signalToVisibleMs: m.visibleMs === undefined ? undefined : m.visibleMs - signalMs,
      demandMs,
      leadMs: m.visibleMs === undefined || demandMs === undefined ? undefined : demandMs - m.visibleMs,
      late: m.late,
      failed: m.failed,
    };
  });
  const crowds = input.crowds.map((crowd): CrowdFigures => {
    const mine = records.filter((r) => r.resource === crowd.resource);
    const clusters = [...new Set([...mine.map((r) => r.cluster)])].sort().map((cluster) => {
      const mirror = mirrors.find((m) => m.resource === crowd.resource && m.cluster === cluster);
      return {
        cluster,
        ...(mirror?.visibleMs === undefined ? {} : { visibleMs: mirror.visibleMs }),
        ...(mirror?.leadMs === undefined ? {} : { leadMs: mirror.leadMs }),
      };
    });
    return {
      resource: crowd.resource,
      announced: crowd.announced,
      announcedMs: crowd.announcedMs,
      firstRequestMs: mine.reduce<number | undefined>(
        (min, r) => (min === undefined || r.sentMs < min ? r.sentMs : min),
        undefined,
      ),
      requests: mine.length,
      hits: mine.filter((r) => r.outcome === 'hit').length,
      clusters,
    };
  });
  return {
    mode: input.mode,
    runLabel: input.runLabel,
    startedMs: input.startedMs,
    endedMs: input.endedMs,
    planned: plan.requests.length,
    outcomes,
    hitRatio: records.length === 0 ? 0 : outcomes.hit / records.length,
    viaMirror,
    viaMirrorHits,
    traceBytesMissed,
    traceBytes,
    origin: input.origin,
    pipeline: input.pipeline,
    mirrors,
    crowds,
    buckets,
    sendLagMs: { p50: percentile(lags, 50) ?? 0, max: lags.reduce((a, b) => Math.max(a, b), 0) },
  };
}

/** Forecast against actual per forecaster window, for one (resource, cluster). */
export interface ForecastSeries {
  readonly resource: string;
  readonly cluster: string;
  readonly points: readonly { tsMs: number; actual: number; forecast: number | undefined }[];
}

/**
 * For the most requested (resource, cluster) pairs of a run and every crowd: requests per forecaster
 * window against the last forecast issued for that window before it began (or, for the first
 * windows, the latest one issued before the window closed).
 */
export function forecastSeries(
  records: readonly RequestRecord[],
  forecasts: readonly ForecastPoint[],
  windowMs: number,
  pick: readonly { resource: string; cluster: string }[],
): ForecastSeries[] {
  return pick.map(({ resource, cluster }) => {
    const counts = new Map<number, number>();
    for (const r of records) {
      if (r.resource !== resource || r.cluster !== cluster) continue;
      const ts = Math.floor(r.sentMs / windowMs) * windowMs;
      counts.set(ts, (counts.get(ts) ?? 0) + 1);
    }
    const mine = forecasts.filter((f) => f.resource === resource && f.cluster === cluster);
    const times = [...counts.keys()];
    const from = Math.min(...times);
    const to = Math.max(...times);
    const points: { tsMs: number; actual: number; forecast: number | undefined }[] = [];
    for (let ts = from; ts <= to; ts += windowMs) {
      const issued = mine
        .filter((f) => f.tsMs === ts && f.issuedMs < ts + windowMs)
        .sort((a, b) => a.issuedMs - b.issuedMs);
      points.push({ tsMs: ts, actual: counts.get(ts) ?? 0, forecast: issued.at(-1)?.mean });
    }
    return { resource, cluster, points };
  });
}

/** The `n` (resource, cluster) pairs with the most requests. */
export function topSeries(
  records: readonly RequestRecord[],
  n: number,
): { resource: string; cluster: string; requests: number }[] {
  const counts = new Map<string, { resource: string; cluster: string; requests: number }>();
  for (const r of records) {
    const key = `${r.cluster} ${r.resource}`;
    const entry = counts.get(key) ?? { resource: r.resource, cluster: r.cluster, requests: 0 };
    entry.requests++;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.requests - a.requests).slice(0, n);
}
