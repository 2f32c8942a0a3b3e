import { loadEnv, ServiceEnvSchema, z } from '@pdme/common/config';

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
