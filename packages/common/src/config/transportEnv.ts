// The transport-security variables alone, without loaders, so env.ts can spread them into
// ServiceEnvSchema without an import cycle (transport.ts needs env.ts's loadEnv).
import { z } from 'zod';

const file = z.string().min(1);
const flag = z.enum(['true', 'false']).optional();

/** The variables, as a shape so ServiceEnvSchema and the gateway's own schema can both spread it. */
export const TransportEnvShape = {
  /** `true` speaks TLS to the brokers (implied by any KAFKA_SSL_*_FILE). */
  KAFKA_SSL: flag,
  /** PEM CA bundle the broker certificates are checked against (default: the system CAs). */
  KAFKA_SSL_CA_FILE: file.optional(),
  /** PEM client certificate and key, when the brokers require mutual TLS. */
  KAFKA_SSL_CERT_FILE: file.optional(),
  KAFKA_SSL_KEY_FILE: file.optional(),
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: file.optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** PEM CA bundle for a `rediss://` REDIS_URL. */
  REDIS_TLS_CA_FILE: file.optional(),
  REDIS_TLS_CERT_FILE: file.optional(),
  REDIS_TLS_KEY_FILE: file.optional(),
  /** Redis ACL user; the password from REDIS_PASSWORD_FILE or REDIS_PASSWORD. */
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD_FILE: file.optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
} as const;

/** Names of the transport variables: optional everywhere, so deploy checks need not require them. */
export const TRANSPORT_ENV_KEYS: readonly string[] = Object.keys(TransportEnvShape);
