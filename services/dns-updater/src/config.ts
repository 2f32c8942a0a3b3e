import { readFileSync } from 'node:fs';
import { loadEnv, ServiceEnvSchema, z } from '@pdme/common/config';
import { PdmeError } from '@pdme/common/errors';
import type { CacheTls } from './cacheWarmer.js';

const DnsUpdaterEnvSchema = ServiceEnvSchema.extend({
  OPS_PORT: ServiceEnvSchema.shape.OPS_PORT.default(18140),
  /** Overrides `dnsUpdater.dryRun` of the config file when set ("true"/"false"). */
  DRY_RUN: z.enum(['true', 'false']).optional(),
  /** How often desired mirrors are compared with the DNS server (0 disables the loop). */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
  /** How long an UPDATE waits for other commands' changes to share its message. */
  BATCH_WINDOW_MS: z.coerce.number().int().min(0).default(20),
  BATCH_MAX_CHANGES: z.coerce.number().int().min(1).max(200).default(100),
  BATCH_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(8),
  /** `true`: warm and health-check the caches over HTTPS (implied by CACHE_TLS_CA_FILE). */
  CACHE_TLS: z.enum(['true', 'false']).optional(),
  /** PEM CA the cache servers' certificates are checked against (default: the system CAs). */
  CACHE_TLS_CA_FILE: z.string().min(1).optional(),
});

export type DnsUpdaterEnv = z.output<typeof DnsUpdaterEnvSchema>;

export function loadDnsUpdaterEnv(env: NodeJS.ProcessEnv): DnsUpdaterEnv {
  return loadEnv(DnsUpdaterEnvSchema, env, 'dns-updater');
}

/** TSIG key texts from the environment (PDME_TSIG_<CLUSTER>), for clusters without a key file. */
export function tsigKeyEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('PDME_TSIG_') && entry[1] !== undefined,
    ),
  );
}

/** How the dns-updater reaches the caches: HTTPS when asked for, plain HTTP (the demo) otherwise. */
export function cacheTls(env: DnsUpdaterEnv): CacheTls | undefined {
  if (env.CACHE_TLS === 'false' || (env.CACHE_TLS === undefined && env.CACHE_TLS_CA_FILE === undefined))
    return undefined;
  if (env.CACHE_TLS_CA_FILE === undefined) return {};
  try {
    return { ca: readFileSync(env.CACHE_TLS_CA_FILE) };
  } catch (error) {
    throw new PdmeError(
      'CONFIG_INVALID',
      `dns-updater: cannot read CACHE_TLS_CA_FILE ${env.CACHE_TLS_CA_FILE}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
