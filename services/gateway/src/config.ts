import {
  KafkaBrokersSchema,
  loadConfigFile,
  loadEnv,
  LogLevelSchema,
  loadTransportEnv,
  TransportEnvShape,
  z,
  type PdmeConfig,
  type TransportEnv,
} from '@pdme/common/config';
import { PdmeError } from '@pdme/common/errors';
import type { RateLimitSettings } from './rateLimits.js';

/** A port number given as decimal text; 0 asks the OS for a free port (tests). */
const port = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a port number 0..65535')
  .transform(Number)
  .pipe(z.number().int().max(65535, 'must be a port number 0..65535'));

/** A positive count given as decimal text. */
const count = z
  .string()
  .regex(/^[1-9]\d{0,8}$/, 'must be a positive integer')
  .transform(Number);

/** The gateway's environment. Only this module reads process.env; everything else gets the typed result. */
export const GatewayEnvSchema = z.object({
  PDME_CONFIG_FILE: z.string().min(1, 'path of the PDME config file (JSON or YAML) is required'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_PORT: port.default(18000),
  GATEWAY_GRPC_PORT: port.default(18001),
  /** Ops server: /metrics, /healthz, /readyz. */
  OPS_PORT: port.default(18150),
  LOG_LEVEL: LogLevelSchema,
  /** Comma-separated bootstrap brokers, for POST /pdme/events. */
  KAFKA_BROKERS: KafkaBrokersSchema,
  /** `off` lets every caller do everything: local development only, never in production. */
  GATEWAY_AUTH: z.enum(['on', 'off']).default('on'),
  /** A file whose text is the HS256 secret of accepted JWTs. */
  GATEWAY_JWT_SECRET_FILE: z.string().min(1).optional(),
  /** A JWKS file with the public keys of accepted JWTs. */
  GATEWAY_JWKS_FILE: z.string().min(1).optional(),
  GATEWAY_JWT_ISSUER: z.string().min(1).optional(),
  GATEWAY_JWT_AUDIENCE: z.string().min(1).optional(),
  GATEWAY_READS_PER_MINUTE: count.default(120_000),
  GATEWAY_WRITES_PER_MINUTE: count.default(60),
  GATEWAY_AUTH_FAILURES_PER_MINUTE: count.default(60),
  /** PEM certificate (chain) and key: HTTP becomes HTTPS and gRPC uses TLS. Plaintext without them. */
  GATEWAY_TLS_CERT_FILE: z.string().min(1).optional(),
  GATEWAY_TLS_KEY_FILE: z.string().min(1).optional(),
  /** PEM CA of client certificates: when set, HTTPS and gRPC clients must present one it signed. */
  GATEWAY_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
  /** Keyring document sealing the live config and its audit trail in Redis (absent: plaintext). */
  PDME_ENVELOPE_KEYRING_FILE: z.string().min(1).optional(),
  /** TLS/SASL for Kafka and TLS/ACL user for Redis, as every service reads them. */
  ...TransportEnvShape,
});

export type GatewayEnv = z.output<typeof GatewayEnvSchema>;

export interface GatewayConfig {
  readonly configFile: string;
  readonly redisUrl: string;
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly opsPort: number;
  readonly logLevel: GatewayEnv['LOG_LEVEL'];
  readonly kafkaBrokers: readonly string[];
  readonly authEnabled: boolean;
  readonly jwt: {
    readonly secretFile?: string;
    readonly jwksFile?: string;
    readonly issuer?: string;
    readonly audience?: string;
  };
  readonly rateLimits: RateLimitSettings;
  /** Certificate files of the HTTPS and gRPC listeners (absent: plaintext). */
  readonly tls: { readonly certFile?: string; readonly keyFile?: string; readonly clientCaFile?: string };
  /** Transport security of the Kafka and Redis clients (see @pdme/common/config transport). */
  readonly transport: TransportEnv;
  /** Keyring file of the at-rest envelope keys (absent: config and audit stored in the clear). */
  readonly envelopeKeyringFile?: string;
  /** The validated PDME config document read from `configFile`. */
  readonly pdme: PdmeConfig;
}

/** Parses the environment (throws PdmeError CONFIG_INVALID listing every bad variable), then reads the config file. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = loadEnv(GatewayEnvSchema, env, 'gateway');
  const transport = loadTransportEnv(parsed, 'gateway');
  if ((parsed.GATEWAY_TLS_CERT_FILE === undefined) !== (parsed.GATEWAY_TLS_KEY_FILE === undefined))
    throw new PdmeError(
      'CONFIG_INVALID',
      'gateway: set both GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE, or neither',
    );
  if (parsed.GATEWAY_TLS_CLIENT_CA_FILE !== undefined && parsed.GATEWAY_TLS_CERT_FILE === undefined)
    throw new PdmeError('CONFIG_INVALID', 'gateway: GATEWAY_TLS_CLIENT_CA_FILE needs GATEWAY_TLS_CERT_FILE');
  return {
    configFile: parsed.PDME_CONFIG_FILE,
    redisUrl: parsed.REDIS_URL,
    host: parsed.GATEWAY_HOST,
    httpPort: parsed.GATEWAY_PORT,
    grpcPort: parsed.GATEWAY_GRPC_PORT,
    opsPort: parsed.OPS_PORT,
    logLevel: parsed.LOG_LEVEL,
    kafkaBrokers: parsed.KAFKA_BROKERS,
    authEnabled: parsed.GATEWAY_AUTH === 'on',
    jwt: {
      ...(parsed.GATEWAY_JWT_SECRET_FILE === undefined ? {} : { secretFile: parsed.GATEWAY_JWT_SECRET_FILE }),
      ...(parsed.GATEWAY_JWKS_FILE === undefined ? {} : { jwksFile: parsed.GATEWAY_JWKS_FILE }),
      ...(parsed.GATEWAY_JWT_ISSUER === undefined ? {} : { issuer: parsed.GATEWAY_JWT_ISSUER }),
      ...(parsed.GATEWAY_JWT_AUDIENCE === undefined ? {} : { audience: parsed.GATEWAY_JWT_AUDIENCE }),
    },
    rateLimits: {
      readsPerMinute: parsed.GATEWAY_READS_PER_MINUTE,
      writesPerMinute: parsed.GATEWAY_WRITES_PER_MINUTE,
      authFailuresPerMinute: parsed.GATEWAY_AUTH_FAILURES_PER_MINUTE,
    },
    tls: {
      ...(parsed.GATEWAY_TLS_CERT_FILE === undefined ? {} : { certFile: parsed.GATEWAY_TLS_CERT_FILE }),
      ...(parsed.GATEWAY_TLS_KEY_FILE === undefined ? {} : { keyFile: parsed.GATEWAY_TLS_KEY_FILE }),
      ...(parsed.GATEWAY_TLS_CLIENT_CA_FILE === undefined
        ? {}
        : { clientCaFile: parsed.GATEWAY_TLS_CLIENT_CA_FILE }),
    },
    transport,
    ...(parsed.PDME_ENVELOPE_KEYRING_FILE === undefined
      ? {}
      : { envelopeKeyringFile: parsed.PDME_ENVELOPE_KEYRING_FILE }),
    pdme: loadConfigFile(parsed.PDME_CONFIG_FILE),
  };
}
