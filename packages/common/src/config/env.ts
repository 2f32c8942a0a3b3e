import { z } from 'zod';

import { PdmeError } from '../errors/index.js';
import { TransportEnvShape } from './transportEnv.js';

/** Lists every problem of a zod failure as `path: message`, so one run shows all that is wrong. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
}

/**
 * Parses a service's environment with its schema. Services call this once at start-up; the rest of
 * the code receives the typed result and never reads process.env.
 */
export function loadEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, what: string): z.output<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = describeIssues(result.error);
    throw new PdmeError('CONFIG_INVALID', `${what}: invalid environment:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  }
  return result.data;
}

export const LogLevelSchema = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

/** Comma-separated bootstrap brokers, as every Kafka-using process reads them. */
export const KafkaBrokersSchema = z
  .string()
  .default('127.0.0.1:19092')
  .transform((value) =>
    value
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b.length > 0),
  )
  .pipe(z.array(z.string()).min(1, 'needs at least one broker'));
const portNumber = z.coerce.number().int().min(0).max(65535);

/** Environment every service reads; each service's config.ts extends it with its own keys. */
export const ServiceEnvSchema = z.object({
  PDME_CONFIG_FILE: z.string().min(1, 'path of the PDME config file (JSON or YAML) is required'),
  KAFKA_BROKERS: KafkaBrokersSchema,
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  LOG_LEVEL: LogLevelSchema,
  OPS_HOST: z.string().default('127.0.0.1'),
  /** /metrics, /healthz and /readyz. */
  OPS_PORT: portNumber,
  /** Distinguishes instances of one service (logs, Kafka client id). */
  INSTANCE_ID: z.string().default(`${process.pid}`),
  /**
   * Keyring document of the at-rest envelope keys (@pdme/common/crypto); re-read on change, so a
   * rotation needs no restart. Unset: client traits and audit data are stored in the clear.
   */
  PDME_ENVELOPE_KEYRING_FILE: z.string().optional(),
  /** Optional TLS/SASL for Kafka and TLS/ACL user for Redis (see transport.ts); plaintext without them. */
  ...TransportEnvShape,
});

export type ServiceEnv = z.output<typeof ServiceEnvSchema>;
export { portNumber };
