import { CacheServerSchema } from '@pdme/common/config';
import { PdmeError } from '@pdme/common/errors';
import { REDIS_KEYS } from '@pdme/common/keys';
import {
  CachedForecastSchema,
  MirrorRecordSchema,
  STAT_COUNTERS,
  type CachedForecast,
  type StatCounter,
} from '@pdme/common/mirror-state';
import type { GetStatsResponse, Mirror, ServerUsage } from '@pdme/common/proto';
import type { Redis } from '@pdme/common/redis';
import { predictionAccuracy, serviceLatencies, type AccuracyOverview } from './statsAccuracy.js';
import { badInput, type StatsFilter } from './statsFilter.js';
import { forecastAges, type StatsPerformance } from './statsPerformance.js';

/**
 * The proto GetStatsResponse shape, plus what only the HTTP API shows. Accuracy and latencies are
 * kept in their JSON form (null for undefined ratios) and mapped to the proto's by the gRPC server.
 */
export interface StatsSnapshot extends Omit<GetStatsResponse, 'predictionAccuracy' | 'serviceLatencies'> {
  /** Latest cached forecasts of the mirrored (or filtered) resources, most recent first. */
  forecasts: CachedForecast[];
  /** Records that were skipped because they did not parse; they are never thrown. */
  invalidRecords: number;
  /** One-step-ahead forecast accuracy, as the forecaster instances last reported it. */
  accuracy: AccuracyOverview;
  performance: StatsPerformance;
}

/** What the HTTP and gRPC front ends need from a reader (so tests can pass a fake). */
export interface StatsSource {
  readonly clusters: readonly string[];
  read(filter: StatsFilter): Promise<StatsSnapshot>;
}

export type InvalidRecordKind =
  'mirror' | 'server' | 'capacity' | 'counter' | 'forecast' | 'accuracy' | 'latency';

export interface StatsReaderOptions {
  readonly now?: () => number;
  /** At most this many forecasts are returned. */
  readonly maxForecasts?: number;
  /** At most this many series are listed under accuracy. */
  readonly maxAccuracySeries?: number;
  /** SCAN COUNT hint per round. */
  readonly scanCount?: number;
  /** SCAN stops after this many rounds even if the cursor is not back at 0 (bounds the work per request). */
  readonly maxScanRounds?: number;
  /** Called for each skipped record, e.g. to count it in a metric. */
  readonly onInvalid?: (kind: InvalidRecordKind, key: string, field: string) => void;
}

const FORECAST_PREFIX = REDIS_KEYS.forecast('', '').slice(0, -1); // 'pdme:forecast:'

/** Escapes Redis glob metacharacters so a value matches only itself in SCAN MATCH. */
function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\^]/g, '\\$&');
}

function unavailable(cause: unknown): PdmeError {
  return new PdmeError('UNAVAILABLE', 'stats store unavailable', { cause });
}

/** The part of a zod schema used here (zod is not a direct dependency of this package). */
interface SafeParser<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/** JSON text checked against a schema; undefined when either step fails. */
function parseJson<T>(schema: SafeParser<T>, text: string): T | undefined {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = schema.safeParse(document);
  return result.success ? result.data : undefined;
}

/** A non-negative safe integer from Redis text, or undefined. */
function parseCount(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Locale-independent ordering, so answers are the same on every host. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The three hashes the decision service keeps per cluster. */
interface ClusterHashes {
  readonly cluster: string;
  readonly mirrorHash: ReadonlyMap<string, string>;
  readonly capacityHash: ReadonlyMap<string, string>;
  readonly serverHash: ReadonlyMap<string, string>;
}

/** An HGETALL reply as a Map, so field names such as `constructor` never meet Object.prototype. */
function hash(result: unknown): ReadonlyMap<string, string> {
  if (typeof result !== 'object' || result === null) return new Map();
  return new Map(
    Object.entries(result).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * Reads what the decision service (mirrors, capacity, servers, counters), the forecaster
 * (forecasts, accuracy) and every service (latency summaries) keep in Redis and assembles one stats answer: one pipelined round trip for the
 * hashes, then a bounded SCAN plus one MGET for forecasts.
 */
export class StatsReader implements StatsSource {
  readonly clusters: readonly string[];
  private readonly now: () => number;
  private readonly maxForecasts: number;
  private readonly maxAccuracySeries: number;
  private readonly scanCount: number;
  private readonly maxScanRounds: number;
  private readonly onInvalid: NonNullable<StatsReaderOptions['onInvalid']>;

  constructor(
    private readonly redis: Redis,
    clusters: readonly string[],
    options: StatsReaderOptions = {},
  ) {
    this.clusters = [...clusters];
    this.now = options.now ?? Date.now;
    this.maxForecasts = options.maxForecasts ?? 100;
    this.maxAccuracySeries = options.maxAccuracySeries ?? 50;
    this.scanCount = options.scanCount ?? 200;
    this.maxScanRounds = options.maxScanRounds ?? 50;
    this.onInvalid = options.onInvalid ?? (() => undefined);
  }

  async read(filter: StatsFilter = {}): Promise<StatsSnapshot> {
    if (filter.cluster !== undefined && !this.clusters.includes(filter.cluster)) {
      throw badInput('invalid stats query', [{ field: 'cluster', problem: 'is not a configured cluster' }]);
    }
    const clusters = filter.cluster === undefined ? this.clusters : [filter.cluster];
    const started = performance.now();
    const inRange = (sinceMs: number) =>
      (filter.since === undefined || sinceMs >= filter.since) &&
      (filter.until === undefined || sinceMs < filter.until);
    const hashes = await this.readHashes(clusters);
    let invalid = 0;
    const skip = (kind: InvalidRecordKind, key: string, field: string) => {
      invalid++;
      this.onInvalid(kind, key, field);
    };

    const mirrors: Mirror[] = [];
    const servers: ServerUsage[] = [];
    const mirrored = new Map<string, Set<string>>();
    for (const { cluster, mirrorHash, capacityHash, serverHash } of hashes.clusters) {
      const perServer = new Map<string, number>();
      const resources = new Set<string>();
      for (const [field, text] of mirrorHash) {
        const record = parseJson(MirrorRecordSchema, text);
        if (record === undefined) {
          skip('mirror', REDIS_KEYS.mirrors(cluster), field);
          continue;
        }
        perServer.set(record.serverId, (perServer.get(record.serverId) ?? 0) + 1);
        if (filter.resource !== undefined && record.resource !== filter.resource) continue;
        if (!inRange(record.sinceMs)) continue;
        resources.add(record.resource);
        mirrors.push({
          resource: record.resource,
          cluster,
          serverId: record.serverId,
          serverHost: record.serverHost,
          state: record.state,
          commandId: record.commandId,
          sinceMs: record.sinceMs,
          reservedBytes: record.reservedBytes,
          predictedDemand: record.predictedDemand,
        });
      }
      mirrored.set(cluster, resources);

      const serverIds = new Set([...serverHash.keys(), ...capacityHash.keys()]);
      for (const serverId of [...serverIds].sort()) {
        let capacityBytes = 0;
        const serverText = serverHash.get(serverId);
        if (serverText !== undefined) {
          const server = parseJson(CacheServerSchema, serverText);
          if (server === undefined) skip('server', REDIS_KEYS.servers(cluster), serverId);
          else capacityBytes = server.capacityBytes;
        }
        let usedBytes = 0;
        const usedText = capacityHash.get(serverId);
        if (usedText !== undefined) {
          const used = parseCount(usedText);
          if (used === undefined) skip('capacity', REDIS_KEYS.capacity(cluster), serverId);
          else usedBytes = used;
        }
        servers.push({ cluster, serverId, capacityBytes, usedBytes, mirrors: perServer.get(serverId) ?? 0 });
      }
    }
    mirrors.sort(
      (a, b) =>
        byText(a.cluster, b.cluster) || byText(a.resource, b.resource) || byText(a.serverId, b.serverId),
    );

    const counters: Record<StatCounter, number> = {
      mirrorsCreated: 0,
      mirrorsRemoved: 0,
      mirrorsFailed: 0,
      lateMirrors: 0,
      lateCommands: 0,
    };
    for (const name of STAT_COUNTERS) {
      const text = hashes.counters.get(name);
      if (text === undefined) continue;
      const value = parseCount(text);
      if (value === undefined) skip('counter', REDIS_KEYS.counters, name);
      else counters[name] = value;
    }

    const forecasts = await this.readForecasts(clusters, filter, mirrored, skip);
    const generatedMs = this.now();
    const accuracy = predictionAccuracy(hashes.accuracy, filter, {
      nowMs: generatedMs,
      maxSeries: this.maxAccuracySeries,
      onInvalid: (field) => skip('accuracy', REDIS_KEYS.forecastAccuracy, field),
    });
    const latencies = serviceLatencies(hashes.latency, {
      nowMs: generatedMs,
      onInvalid: (field) => skip('latency', REDIS_KEYS.latency, field),
    });
    const performanceFigures: StatsPerformance = {
      readMs: Math.round((performance.now() - started) * 1000) / 1000,
      forecastAgeMs: forecastAges(forecasts, generatedMs),
      latencies,
    };
    return {
      mirrors,
      servers,
      ...counters,
      generatedMs,
      forecasts,
      invalidRecords: invalid,
      accuracy,
      performance: performanceFigures,
    };
  }

  /** All hashes in one pipelined round trip. */
  private async readHashes(clusters: readonly string[]): Promise<{
    clusters: ClusterHashes[];
    counters: ReadonlyMap<string, string>;
    accuracy: ReadonlyMap<string, string>;
    latency: ReadonlyMap<string, string>;
  }> {
    const pipeline = this.redis.pipeline();
    for (const cluster of clusters) {
      pipeline.hgetall(REDIS_KEYS.mirrors(cluster));
      pipeline.hgetall(REDIS_KEYS.capacity(cluster));
      pipeline.hgetall(REDIS_KEYS.servers(cluster));
    }
    pipeline.hgetall(REDIS_KEYS.counters);
    pipeline.hgetall(REDIS_KEYS.forecastAccuracy);
    pipeline.hgetall(REDIS_KEYS.latency);
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      throw unavailable(error);
    }
    if (results === null) throw unavailable(new Error('pipeline discarded'));
    const failed = results.find(([error]) => error !== null);
    if (failed) throw unavailable(failed[0]);
    const at = (i: number) => hash(results[i]?.[1]);
    return {
      clusters: clusters.map((cluster, c) => ({
        cluster,
        mirrorHash: at(c * 3),
        capacityHash: at(c * 3 + 1),
        serverHash: at(c * 3 + 2),
      })),
      counters: at(clusters.length * 3),
      accuracy: at(clusters.length * 3 + 1),
      latency: at(clusters.length * 3 + 2),
    };
  }

  /**
   * Forecasts of the filtered resource, or else of the mirrored ones: a SCAN with MATCH
   * (narrowed to the cluster/resource when filtered) bounded by maxScanRounds, then one MGET.
   */
  private async readForecasts(
    clusters: readonly string[],
    filter: StatsFilter,
    mirrored: ReadonlyMap<string, ReadonlySet<string>>,
    skip: (kind: InvalidRecordKind, key: string, field: string) => void,
  ): Promise<CachedForecast[]> {
    const wanted = (cluster: string, resource: string) =>
      filter.resource !== undefined
        ? resource === filter.resource
        : (mirrored.get(cluster)?.has(resource) ?? false);
    if (filter.resource === undefined && [...mirrored.values()].every((set) => set.size === 0)) return [];

    const pattern = REDIS_KEYS.forecast(
      filter.cluster === undefined ? '*' : escapeGlob(filter.cluster),
      filter.resource === undefined ? '*' : escapeGlob(filter.resource),
    );
    const keys = new Set<string>();
    try {
      let cursor = '0';
      let rounds = 0;
      do {
        const [next, batch] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', this.scanCount);
        cursor = next;
        rounds++;
        for (const key of batch) {
          const rest = key.slice(FORECAST_PREFIX.length);
          const colon = rest.indexOf(':');
          if (colon <= 0) continue;
          const cluster = rest.slice(0, colon);
          if (clusters.includes(cluster) && wanted(cluster, rest.slice(colon + 1))) keys.add(key);
        }
      } while (cursor !== '0' && rounds < this.maxScanRounds && keys.size < this.maxForecasts);
    } catch (error) {
      throw unavailable(error);
    }
    const selected = [...keys].sort().slice(0, this.maxForecasts);
    if (selected.length === 0) return [];
    let texts: (string | null)[];
    try {
      texts = await this.redis.mget(...selected);
    } catch (error) {
      throw unavailable(error);
    }
    const forecasts: CachedForecast[] = [];
    texts.forEach((text, i) => {
      if (text === null) return; // expired between SCAN and MGET
      const forecast = parseJson(CachedForecastSchema, text);
      if (forecast === undefined) skip('forecast', selected[i] ?? '', '');
      else forecasts.push(forecast);
    });
    return forecasts.sort((a, b) => b.issuedMs - a.issuedMs);
  }
}
