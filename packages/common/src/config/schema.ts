import { isIP } from 'node:net';
import { z } from 'zod';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes, at most 63');
const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^([a-z0-9_]([a-z0-9-_]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i,
    'must be a DNS name',
  );
const address = z.string().refine((value) => isIP(value) !== 0, 'must be an IPv4 or IPv6 address');
const port = z.number().int().min(1).max(65535);
const cidr = z.string().refine((value) => {
  const [base, bits, extra] = value.split('/');
  if (base === undefined || bits === undefined || extra !== undefined) return false;
  const family = isIP(base);
  const n = Number(bits);
  return family !== 0 && Number.isInteger(n) && n >= 0 && n <= (family === 4 ? 32 : 128);
}, 'must be a CIDR such as 192.0.2.0/24');

export const CacheServerSchema = z.object({
  id,
  /** DNS name that mirrored resources get as CNAME target. */
  host: hostname,
  address,
  port,
  capacityBytes: z.number().int().positive(),
  latencyMs: z.number().nonnegative(),
  region: z.string().min(1),
  /** Relative cost of moving a byte onto this server (egress, transit). */
  cost: z.number().nonnegative().default(1),
});

export const DnsTargetSchema = z.object({
  server: address,
  port: port.default(53),
  zone: hostname,
  /** TSIG key name; the secret comes from keyFile or the environment, never from this document. */
  keyName: hostname,
  keyFile: z.string().min(1).optional(),
});

export const ClusterSchema = z.object({
  id,
  region: z.string().min(1),
  /** Client subnets that belong to this cluster (longest prefix wins across clusters). */
  subnets: z.array(cidr).default([]),
  dns: DnsTargetSchema,
  servers: z.array(CacheServerSchema).min(1),
});

export const ResourceTypeSchema = z
  .object({
    name: id,
    /** Glob patterns over resource names (`*` matches within one label, `**` across labels). */
    patterns: z.array(z.string().min(1)).min(1),
    /** Mirror when predicted demand per window exceeds this. */
    threshold: z.number().nonnegative(),
    /** Unmirror once demand stays below this for `hysteresisWindows` windows. */
    unmirrorThreshold: z.number().nonnegative(),
    maxMirrors: z.number().int().min(1).max(32),
    sizeBytes: z.number().int().positive(),
    ttlSeconds: z.number().int().min(1).max(86_400),
    warmPaths: z.array(z.string().startsWith('/')).min(1).default(['/']),
  })
  .refine((type) => type.unmirrorThreshold <= type.threshold, {
    message: 'unmirrorThreshold must not exceed threshold',
    path: ['unmirrorThreshold'],
  });

/**
 * Forecast-poisoning defence (@pdme/common/fairness): per (resource, cluster, window) each anonymized
 * client group counts up to max(perGroupFloor, maxShare x the window's broad base). Keep
 * perGroupFloor below the thresholds to defend: one group alone then cannot reach them.
 */
export const InfluenceCapSchema = z.object({
  enabled: z.boolean().default(true),
  perGroupFloor: z.number().int().min(1).default(20),
  maxShare: z.number().min(0).max(1).default(0.2),
  dominanceShare: z.number().gt(0).max(1).default(0.5),
  minFlagCount: z.number().int().nonnegative().default(100),
});

export const ForecastSettingsSchema = z.object({
  windowMs: z.number().int().min(1000),
  horizonSteps: z.number().int().min(1).max(1000),
  allowedLatenessMs: z.number().int().nonnegative(),
  /** Publish a new forecast only when its mean moves by more than this fraction. */
  minChange: z.number().nonnegative().default(0.1),
  forecastTtlSeconds: z.number().int().positive().default(600),
  influenceCap: InfluenceCapSchema.prefault({}),
});

export const DecisionSettingsSchema = z.object({
  policy: z.enum(['greedy', 'benefit']),
  weights: z.object({
    latency: z.number().nonnegative(),
    capacity: z.number().nonnegative(),
    diversity: z.number().nonnegative(),
    cost: z.number().nonnegative(),
  }),
  hysteresisWindows: z.number().int().min(1),
  minLifetimeMs: z.number().int().nonnegative(),
  /** Time to warm a cache, assumed when computing by when a command must start. */
  warmTimeMs: z.number().int().nonnegative(),
  /**
   * Decisions switched off: no new mirrors are placed (releases still go ahead), so caches only
   * react. For baselines such as `pdme demo`'s run without PDME; absent means false.
   */
  paused: z.boolean().optional(),
});

export const DnsUpdaterSettingsSchema = z.object({
  dryRun: z.boolean().default(false),
  /** Written into ownership TXT records; records with another owner are never changed. */
  ownerId: id,
  warmTimeoutMs: z.number().int().positive().default(5000),
  warmConcurrency: z.number().int().min(1).max(64).default(4),
});

export const AnonymizationSchema = z.object({
  ipv4PrefixLength: z.number().int().min(0).max(32),
  ipv6PrefixLength: z.number().int().min(0).max(128),
  /** Traits are published only for client groups with at least k distinct clients. */
  k: z.number().int().min(1),
  keyRotationMs: z.number().int().min(60_000),
});

export const PdmeConfigSchema = z
  .object({
    clusters: z.array(ClusterSchema).min(1),
    resourceTypes: z.array(ResourceTypeSchema).min(1),
    forecast: ForecastSettingsSchema,
    decision: DecisionSettingsSchema,
    dnsUpdater: DnsUpdaterSettingsSchema,
    anonymization: AnonymizationSchema,
  })
  .superRefine((config, ctx) => {
    const clusterIds = new Set<string>();
    const serverIds = new Set<string>();
    config.clusters.forEach((cluster, i) => {
      if (clusterIds.has(cluster.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'id'],
          message: `duplicate cluster id ${cluster.id}`,
        });
      }
      clusterIds.add(cluster.id);
      cluster.servers.forEach((server, j) => {
        if (serverIds.has(server.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['clusters', i, 'servers', j, 'id'],
            message: `duplicate server id ${server.id}`,
          });
        }
        serverIds.add(server.id);
      });
    });
    const typeNames = new Set<string>();
    config.resourceTypes.forEach((type, i) => {
      if (typeNames.has(type.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['resourceTypes', i, 'name'],
          message: `duplicate type ${type.name}`,
        });
      }
      typeNames.add(type.name);
    });
  });

export type PdmeConfig = z.output<typeof PdmeConfigSchema>;
export type PdmeConfigInput = z.input<typeof PdmeConfigSchema>;
export type ClusterConfig = z.output<typeof ClusterSchema>;
export type CacheServerConfig = z.output<typeof CacheServerSchema>;
export type ResourceTypeConfig = z.output<typeof ResourceTypeSchema>;
export type DnsTargetConfig = z.output<typeof DnsTargetSchema>;
