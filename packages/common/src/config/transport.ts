// Transport security of the clients every service opens: TLS and SASL/SCRAM for Kafka, TLS and ACL
// users for Redis. Everything is optional: without these variables the clients speak plaintext, as the
// default local stack does. Secrets come from files (preferred) or the variable itself, are read once
// at start-up and only ever handed to the client libraries, never logged.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { z } from 'zod';
import { PdmeError } from '../errors/index.js';
import { loadEnv } from './env.js';
import { TRANSPORT_ENV_KEYS, TransportEnvShape } from './transportEnv.js';

export { TRANSPORT_ENV_KEYS, TransportEnvShape } from './transportEnv.js';

export const TransportEnvSchema = z
  .object({ ...TransportEnvShape, REDIS_URL: z.string().optional() })
  .superRefine((env, ctx) => {
    const pair = (cert: keyof typeof env, key: keyof typeof env) => {
      if ((env[cert] === undefined) !== (env[key] === undefined))
        ctx.addIssue({ code: 'custom', path: [cert], message: `set both ${cert} and ${key}, or neither` });
    };
    pair('KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE');
    pair('REDIS_TLS_CERT_FILE', 'REDIS_TLS_KEY_FILE');
    const saslSecret = env.KAFKA_SASL_PASSWORD_FILE ?? env.KAFKA_SASL_PASSWORD;
    if (
      env.KAFKA_SASL_MECHANISM !== undefined &&
      (env.KAFKA_SASL_USERNAME === undefined || saslSecret === undefined)
    )
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_SASL_USERNAME'],
        message:
          'KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE (or KAFKA_SASL_PASSWORD)',
      });
    if (env.KAFKA_SASL_MECHANISM === undefined && env.KAFKA_SASL_USERNAME !== undefined)
      ctx.addIssue({ code: 'custom', path: ['KAFKA_SASL_MECHANISM'], message: 'set the SASL mechanism too' });
    const redisTls = [env.REDIS_TLS_CA_FILE, env.REDIS_TLS_CERT_FILE].some((v) => v !== undefined);
    if (redisTls && env.REDIS_URL !== undefined && !env.REDIS_URL.startsWith('rediss://'))
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: 'REDIS_TLS_* is set: use a rediss:// URL so the connection is encrypted',
      });
  });

export type TransportEnv = z.output<typeof TransportEnvSchema>;

/**
 * The transport variables of an already parsed service environment, checked together (a cert
 * without its key, SASL without a user): each service calls this once at start-up.
 */
export function loadTransportEnv(parsed: Readonly<Record<string, unknown>>, what: string): TransportEnv {
  const picked: NodeJS.ProcessEnv = {};
  for (const key of [...TRANSPORT_ENV_KEYS, 'REDIS_URL']) {
    const value = parsed[key];
    if (typeof value === 'string') picked[key] = value;
  }
  return loadEnv(TransportEnvSchema, picked, what);
}

/** kafkajs `ssl` and `sasl` options (structurally typed so this module needs no kafkajs import). */
export interface KafkaSecurity {
  readonly ssl?: ConnectionOptions | boolean;
  readonly sasl?: {
    readonly mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain';
    readonly username: string;
    readonly password: string;
  };
}

/** ioredis options that add TLS and an ACL user to a REDIS_URL. */
export interface RedisSecurity {
  tls?: ConnectionOptions;
  username?: string;
  password?: string;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new PdmeError('CONFIG_INVALID', `cannot read ${what} ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** A secret from its file (trailing newline dropped) or from the variable itself. */
function readSecret(
  fromFile: string | undefined,
  inline: string | undefined,
  what: string,
): string | undefined {
  if (fromFile !== undefined) return readPem(fromFile, what).toString('utf8').trim();
  return inline;
}

function tlsOptions(ca?: string, cert?: string, key?: string, what = 'TLS'): ConnectionOptions {
  return {
    ...(ca === undefined ? {} : { ca: readPem(ca, `${what} CA file`) }),
    ...(cert === undefined ? {} : { cert: readPem(cert, `${what} certificate file`) }),
    ...(key === undefined ? {} : { key: readPem(key, `${what} key file`) }),
  };
}

/** The Kafka client's TLS and SASL settings; empty (plaintext) when no variable is set. */
export function kafkaSecurity(env: Partial<TransportEnv>): KafkaSecurity {
  const files = [env.KAFKA_SSL_CA_FILE, env.KAFKA_SSL_CERT_FILE, env.KAFKA_SSL_KEY_FILE];
  const tls = env.KAFKA_SSL === 'true' || files.some((f) => f !== undefined);
  const password = readSecret(
    env.KAFKA_SASL_PASSWORD_FILE,
    env.KAFKA_SASL_PASSWORD,
    'Kafka SASL password file',
  );
  return {
    ...(tls
      ? { ssl: tlsOptions(env.KAFKA_SSL_CA_FILE, env.KAFKA_SSL_CERT_FILE, env.KAFKA_SSL_KEY_FILE, 'Kafka') }
      : {}),
    ...(env.KAFKA_SASL_MECHANISM !== undefined &&
    env.KAFKA_SASL_USERNAME !== undefined &&
    password !== undefined
      ? { sasl: { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password } }
      : {}),
  };
}

/** The Redis client's TLS and ACL settings; a `rediss://` URL alone already means TLS with system CAs. */
export function redisSecurity(env: Partial<TransportEnv>, url: string): RedisSecurity {
  const files = [env.REDIS_TLS_CA_FILE, env.REDIS_TLS_CERT_FILE, env.REDIS_TLS_KEY_FILE];
  const tls = url.startsWith('rediss://') || files.some((f) => f !== undefined);
  const password = readSecret(env.REDIS_PASSWORD_FILE, env.REDIS_PASSWORD, 'Redis password file');
  const security: RedisSecurity = {};
  if (tls)
    security.tls = tlsOptions(
      env.REDIS_TLS_CA_FILE,
      env.REDIS_TLS_CERT_FILE,
      env.REDIS_TLS_KEY_FILE,
      'Redis',
    );
  if (env.REDIS_USERNAME !== undefined) security.username = env.REDIS_USERNAME;
  if (password !== undefined) security.password = password;
  return security;
}
