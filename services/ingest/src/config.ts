import { readFileSync } from 'node:fs';
import { loadEnv, ServiceEnvSchema, z } from '@pdme/common/config';
import { PdmeError } from '@pdme/common/errors';

const IngestEnvSchema = ServiceEnvSchema.extend({
  OPS_PORT: ServiceEnvSchema.shape.OPS_PORT.default(18110),
  /** Unix socket that BIND's `dnstap-output unix` connects to. */
  DNSTAP_SOCKET: z.string().min(1).optional(),
  /** host:port of a Frame Streams TCP listener, for resolvers that stream dnstap over TCP. */
  DNSTAP_TCP: z
    .string()
    .regex(/^[^:]+:\d+$/, 'must be host:port')
    .optional(),
  /** The anonymization HMAC secret, from a file (preferred) or the variable itself. */
  PDME_ANON_SECRET_FILE: z.string().min(1).optional(),
  PDME_ANON_SECRET: z.string().min(16).optional(),
})
  .refine((env) => env.DNSTAP_SOCKET !== undefined || env.DNSTAP_TCP !== undefined, {
    message: 'set DNSTAP_SOCKET and/or DNSTAP_TCP',
    path: ['DNSTAP_SOCKET'],
  })
  .refine((env) => env.PDME_ANON_SECRET_FILE !== undefined || env.PDME_ANON_SECRET !== undefined, {
    message: 'set PDME_ANON_SECRET_FILE (or PDME_ANON_SECRET)',
    path: ['PDME_ANON_SECRET_FILE'],
  });

export type IngestEnv = z.output<typeof IngestEnvSchema> & { readonly anonSecret: Buffer };

export function loadIngestEnv(env: NodeJS.ProcessEnv): IngestEnv {
  const parsed = loadEnv(IngestEnvSchema, env, 'ingest');
  let secret = parsed.PDME_ANON_SECRET;
  if (parsed.PDME_ANON_SECRET_FILE !== undefined) {
    try {
      secret = readFileSync(parsed.PDME_ANON_SECRET_FILE, 'utf8').trim();
    } catch (error) {
      throw new PdmeError(
        'CONFIG_INVALID',
        `ingest: cannot read PDME_ANON_SECRET_FILE ${parsed.PDME_ANON_SECRET_FILE}`,
        {
          cause: error,
        },
      );
    }
  }
  if (secret === undefined || secret.length < 16) {
    throw new PdmeError(
      'CONFIG_INVALID',
      'ingest: the anonymization secret must have at least 16 characters',
    );
  }
  return { ...parsed, anonSecret: Buffer.from(secret) };
}
