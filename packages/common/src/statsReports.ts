import type { Redis } from 'ioredis';
import type { Histogram } from 'prom-client';
import { z } from 'zod';
import { REDIS_KEYS } from './redisKeys.js';
import type { Lifecycle } from './lifecycle/index.js';
import type { Logger } from './logging/index.js';
import { SlidingHistogramSummary } from './metrics/latencySummary.js';

/**
 * Summaries that services write to Redis for the gateway's stats (which does not scrape ops ports):
 * each writer owns one field of a shared hash and refreshes it periodically; fields not refreshed
 * within their freshness limit are pruned by the next writer and ignored by readers.
 */

/** Running one-step accuracy totals; ratios are derived by the reader so instances can be summed. */
export const AccuracyTotalsSchema = z.object({
  absError: z.number().nonnegative(),
  absActual: z.number().nonnegative(),
  /** Absolute error of the naive (last value) forecast over the same windows: MASE's scale. */
  naiveError: z.number().nonnegative(),
  /** Windows whose actual was at or under the p90 forecast. */
  covered: z.number().nonnegative(),
  points: z.number().nonnegative(),
});
export type AccuracyTotals = z.output<typeof AccuracyTotalsSchema>;

export const SeriesAccuracyTotalsSchema = AccuracyTotalsSchema.extend({
  resource: z.string(),
  cluster: z.string(),
  /** The model in charge now. */
  model: z.string(),
  /** Queries lately (decayed, halving every 12 windows): what ranks series. */
  recentVolume: z.number().nonnegative(),
});
export type SeriesAccuracyTotals = z.output<typeof SeriesAccuracyTotalsSchema>;

/** One forecaster instance's report (`pdme:stats:forecast-accuracy`, field = instance). */
export const AccuracyReportSchema = z.object({
  instance: z.string(),
  atMs: z.number(),
  /** Readers ignore a report older than this. */
  freshForMs: z.number().positive(),
  windowMs: z.number(),
  /** Series the instance holds state for. */
  series: z.number().int().nonnegative(),
  byModel: z.array(AccuracyTotalsSchema.extend({ model: z.string() })),
  /** The instance's series busiest lately (recentVolume), busiest first. */
  topSeries: z.array(SeriesAccuracyTotalsSchema),
});
export type AccuracyReport = z.output<typeof AccuracyReportSchema>;

/** One latency summary (`pdme:stats:latency`, field = `<service>/<name>/<instance>`). */
export const LatencyReportSchema = z.object({
  service: z.string(),
  instance: z.string(),
  /** What was timed, e.g. `window-update`. */
  name: z.string(),
  description: z.string(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  /** Observations the quantiles cover (those within `spanMs` before `atMs`). */
  count: z.number().nonnegative(),
  spanMs: z.number().nonnegative(),
  atMs: z.number(),
  freshForMs: z.number().positive(),
});
export type LatencyReport = z.output<typeof LatencyReportSchema>;

export interface AccuracyRatios {
  readonly mase: number | null;
  readonly wape: number | null;
  readonly coverage90: number | null;
  readonly points: number;
}

/** MASE (naive-scaled), WAPE and p90 coverage from totals; null where the denominator is 0. */
export function accuracyRatios(t: AccuracyTotals): AccuracyRatios {
  return {
    mase: t.naiveError > 0 ? t.absError / t.naiveError : null,
    wape: t.absActual > 0 ? t.absError / t.absActual : null,
    coverage90: t.points > 0 ? t.covered / t.points : null,
    points: t.points,
  };
}

export function addTotals(a: AccuracyTotals, b: AccuracyTotals): AccuracyTotals {
  return {
    absError: a.absError + b.absError,
    absActual: a.absActual + b.absActual,
    naiveError: a.naiveError + b.naiveError,
    covered: a.covered + b.covered,
    points: a.points + b.points,
  };
}

// Sets the writer's field and the time it goes stale, drops fields already stale, and makes both
// hashes live at least as long as this entry: one atomic round trip, so dead writers never pile up.
const PUT_FRESH = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local expiries = redis.call('HGETALL', KEYS[2])
for i = 1, #expiries, 2 do
  if tonumber(expiries[i + 1]) < tonumber(ARGV[4]) then
    redis.call('HDEL', KEYS[1], expiries[i])
    redis.call('HDEL', KEYS[2], expiries[i])
  end
end
for _, key in ipairs(KEYS) do
  if redis.call('TTL', key) < tonumber(ARGV[5]) then redis.call('EXPIRE', key, ARGV[5]) end
end
return 1
`;

/** The hash holding when each field goes stale, next to `key`. */
export const freshnessKey = (key: string) => `${key}:stale-at`;

/** Writes `field` of the hash `key`; fields of any writer past their freshness are pruned. */
export async function putFreshEntry(
  redis: Redis,
  key: string,
  entry: { field: string; value: unknown; atMs: number; freshForMs: number },
): Promise<void> {
  const ttlSeconds = Math.max(1, Math.ceil(entry.freshForMs / 1000));
  await redis.eval(
    PUT_FRESH,
    2,
    key,
    freshnessKey(key),
    entry.field,
    JSON.stringify(entry.value),
    String(entry.atMs + entry.freshForMs),
    String(entry.atMs),
    String(ttlSeconds),
  );
}

/** The part of a zod schema used here. */
interface SafeParser<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/**
 * The fresh, valid entries of a hash read with HGETALL (an entry is fresh while `atMs + freshForMs`
 * is not past `nowMs`); `invalid` counts fields that did not parse.
 */
export function freshEntries<T extends { atMs: number; freshForMs: number }>(
  schema: SafeParser<T>,
  hash: ReadonlyMap<string, string>,
  nowMs: number,
): { entries: T[]; invalid: string[] } {
  const entries: T[] = [];
  const invalid: string[] = [];
  for (const [field, text] of hash) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      invalid.push(field);
      continue;
    }
    const result = schema.safeParse(parsed);
    if (!result.success) invalid.push(field);
    else if (result.data.atMs + result.data.freshForMs >= nowMs) entries.push(result.data);
  }
  return { entries, invalid };
}

export interface LatencySource {
  /** Short name, e.g. `window-update`. */
  readonly name: string;
  readonly description: string;
  readonly histogram: Histogram;
}

export interface LatencyReporterOptions {
  readonly redis: Redis;
  readonly service: string;
  readonly instance: string;
  readonly sources: readonly LatencySource[];
  readonly logger: Logger;
  /** How often summaries are written (default 5 s). */
  readonly everyMs?: number;
  /** Quantiles cover about this long before each write (default 5 min). */
  readonly spanMs?: number;
}

/**
 * Summarizes Prometheus histograms into p50/p99 over a sliding span and writes them to
 * `pdme:stats:latency` periodically, so the gateway can show any service's latencies.
 */
export class LatencyReporter {
  private readonly everyMs: number;
  private readonly spanMs: number;
  private readonly summaries: { source: LatencySource; sliding: SlidingHistogramSummary }[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly key: string,
    private readonly options: LatencyReporterOptions,
  ) {
    this.everyMs = options.everyMs ?? 5_000;
    this.spanMs = options.spanMs ?? 300_000;
    const span = Math.max(1, Math.round(this.spanMs / this.everyMs));
    this.summaries = options.sources.map((source) => ({
      source,
      sliding: new SlidingHistogramSummary(source.histogram, span),
    }));
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.running = this.running.then(() => this.report());
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Writes every source's summary now; failures are logged, never thrown (stats are best effort). */
  async report(nowMs = Date.now()): Promise<void> {
    const { service, instance, redis, logger } = this.options;
    for (const { source, sliding } of this.summaries) {
      try {
        const quantiles = await sliding.summarize();
        const report: LatencyReport = {
          service,
          instance,
          name: source.name,
          description: source.description,
          ...quantiles,
          spanMs: this.spanMs,
          atMs: nowMs,
          freshForMs: 3 * this.everyMs,
        };
        await putFreshEntry(redis, this.key, {
          field: `${service}/${source.name}/${instance}`,
          value: report,
          atMs: nowMs,
          freshForMs: report.freshForMs,
        });
      } catch (error) {
        logger.warn(
          { event: `${service}.stats.latency_report_failed`, name: source.name, error: String(error) },
          'latency summary not written',
        );
      }
    }
  }
}

/**
 * Starts writing `sources`' latency summaries to `pdme:stats:latency` for a service's runtime, and
 * stops (after a last write) in the shutdown's consumers phase, before Redis is closed.
 */
export function reportLatencies(
  rt: {
    readonly service: string;
    readonly redis: Redis;
    readonly logger: Logger;
    readonly lifecycle: Lifecycle;
  },
  instance: string,
  sources: readonly LatencySource[],
): LatencyReporter {
  const reporter = new LatencyReporter(REDIS_KEYS.latency, {
    redis: rt.redis,
    service: rt.service,
    instance,
    logger: rt.logger,
    sources,
  });
  reporter.start();
  rt.lifecycle.onShutdown('consumers', 'latency-reports', () => reporter.stop());
  return reporter;
}
