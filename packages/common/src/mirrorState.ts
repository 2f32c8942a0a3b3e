import { z } from 'zod';

/**
 * One mirror of a resource on a cache server, as decision keeps it in Redis
 * (`pdme:mirrors:<cluster>`, field = resource). Gateway reads it for stats.
 */
export const MirrorRecordSchema = z.object({
  resource: z.string(),
  cluster: z.string(),
  serverId: z.string(),
  serverHost: z.string(),
  state: z.enum(['pending', 'applied', 'removing']),
  commandId: z.string(),
  sinceMs: z.number(),
  reservedBytes: z.number(),
  predictedDemand: z.number(),
  resourceType: z.string(),
  /** Consecutive windows with demand under the unmirror threshold (hysteresis). */
  lowWindows: z.number().int().nonnegative(),
});

export type MirrorRecord = z.output<typeof MirrorRecordSchema>;

/** Stats counters kept in the `pdme:stats:counters` hash. */
export const STAT_COUNTERS = [
  'mirrorsCreated',
  'mirrorsRemoved',
  'mirrorsFailed',
  'lateMirrors',
  // Mirror commands issued after the time they had to be live by [decision].
  'lateCommands',
] as const;
export type StatCounter = (typeof STAT_COUNTERS)[number];

/** The latest forecast of one series as cached in Redis (`pdme:forecast:<cluster>:<resource>`). */
export const CachedForecastSchema = z.object({
  resource: z.string(),
  cluster: z.string(),
  issuedMs: z.number(),
  windowMs: z.number(),
  model: z.string(),
  observed: z.number(),
  flashCrowd: z.boolean(),
  steps: z.array(z.object({ tsMs: z.number(), mean: z.number(), p50: z.number(), p90: z.number() })),
});

export type CachedForecast = z.output<typeof CachedForecastSchema>;
