import { readFileSync } from 'node:fs';
import { loadEnv, ServiceEnvSchema, z } from '@pdme/common/config';
import { PdmeError } from '@pdme/common/errors';

/** The anonymization secret, from a file (preferred) or the variable itself. */
const SecretEnv = {
  PDME_ANON_SECRET_FILE: z.string().min(1).optional(),
  PDME_ANON_SECRET: z.string().min(16).optional(),
};
const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const IngestEnvSchema = ServiceEnvSchema.extend({
  OPS_PORT: ServiceEnvSchema.shape.OPS_PORT.default(18110),
  /** Unix socket that BIND's `dnstap-output unix` connects to. */
  DNSTAP_SOCKET: z.string().min(1).optional(),
  /** host:port of a Frame Streams TCP listener, for resolvers that stream dnstap over TCP. */
  DNSTAP_TCP: z
    .string()
    .regex(/^[^:]+:\d+$/, 'must be host:port')
    .optional(),
  /**
   * nginx access logs to follow into pdme.access-logs.v1, comma-separated. Each may be
   * `path` or `server=path` (server id when the lines do not name it). Rotation is followed.
   */
  ACCESS_LOG_FILES: commaList,
  /** BIND query logs to follow into pdme.dns-queries.v1, comma-separated (time read as local). */
  QUERY_LOG_FILES: commaList,
  /** Optional MaxMind GeoLite2/GeoIP2 Country or City database for client regions. */
  MAXMIND_DB_FILE: z.string().min(1).optional(),
  ...SecretEnv,
})
  .refine(
    (env) =>
      env.DNSTAP_SOCKET !== undefined ||
      env.DNSTAP_TCP !== undefined ||
      env.ACCESS_LOG_FILES.length > 0 ||
      env.QUERY_LOG_FILES.length > 0,
    {
      message: 'set DNSTAP_SOCKET and/or DNSTAP_TCP (or at least ACCESS_LOG_FILES / QUERY_LOG_FILES)',
      path: ['DNSTAP_SOCKET'],
    },
  )
  .refine((env) => env.PDME_ANON_SECRET_FILE !== undefined || env.PDME_ANON_SECRET !== undefined, {
    message: 'set PDME_ANON_SECRET_FILE (or PDME_ANON_SECRET)',
    path: ['PDME_ANON_SECRET_FILE'],
  });

export type IngestEnv = z.output<typeof IngestEnvSchema> & { readonly anonSecret: Buffer };

export function loadIngestEnv(env: NodeJS.ProcessEnv): IngestEnv {
  const parsed = loadEnv(IngestEnvSchema, env, 'ingest');
  return { ...parsed, anonSecret: readSecret(parsed) };
}

/** What `pdme ingest backfill` and the benches need: config, brokers, the secret. */
const IngestToolEnvSchema = z
  .object({
    PDME_CONFIG_FILE: ServiceEnvSchema.shape.PDME_CONFIG_FILE,
    KAFKA_BROKERS: ServiceEnvSchema.shape.KAFKA_BROKERS,
    PDME_ENVELOPE_KEYRING_FILE: ServiceEnvSchema.shape.PDME_ENVELOPE_KEYRING_FILE,
    MAXMIND_DB_FILE: z.string().min(1).optional(),
    ...SecretEnv,
  })
  .refine((env) => env.PDME_ANON_SECRET_FILE !== undefined || env.PDME_ANON_SECRET !== undefined, {
    message: 'set PDME_ANON_SECRET_FILE (or PDME_ANON_SECRET)',
    path: ['PDME_ANON_SECRET_FILE'],
  });

export type IngestToolEnv = z.output<typeof IngestToolEnvSchema> & { readonly anonSecret: Buffer };

export function loadIngestToolEnv(env: NodeJS.ProcessEnv): IngestToolEnv {
  const parsed = loadEnv(IngestToolEnvSchema, env, 'ingest backfill');
  return { ...parsed, anonSecret: readSecret(parsed) };
}

/** `server=path` or `path`: which cache server wrote a followed access log. */
export function parseAccessLogSpec(spec: string): { path: string; server: string | undefined } {
  const at = spec.indexOf('=');
  return at > 0 && !spec.slice(0, at).includes('/')
    ? { server: spec.slice(0, at), path: spec.slice(at + 1) }
    : { server: undefined, path: spec };
}

function readSecret(parsed: { PDME_ANON_SECRET_FILE?: string; PDME_ANON_SECRET?: string }): Buffer {
  let secret = parsed.PDME_ANON_SECRET;
  if (parsed.PDME_ANON_SECRET_FILE !== undefined) {
    try {
      secret = readFileSync(parsed.PDME_ANON_SECRET_FILE, 'utf8').trim();
    } catch (error) {
      throw new PdmeError(
        'CONFIG_INVALID',
        `ingest: cannot read PDME_ANON_SECRET_FILE ${parsed.PDME_ANON_SECRET_FILE}`,
        { cause: error },
      );
    }
  }
  if (secret === undefined || secret.length < 16) {
    throw new PdmeError(
      'CONFIG_INVALID',
      'ingest: the anonymization secret must have at least 16 characters',
    );
  }
  return Buffer.from(secret);
}
