import { loadConfigFile, loadEnv, z, type PdmeConfig } from '@pdme/common/config';

/** A port number given as decimal text; 0 asks the OS for a free port (tests). */
const port = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a port number 0..65535')
  .transform(Number)
  .pipe(z.number().int().max(65535, 'must be a port number 0..65535'));

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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  /** The validated PDME config document read from `configFile`. */
  readonly pdme: PdmeConfig;
}

/** Parses the environment (throws PdmeError CONFIG_INVALID listing every bad variable), then reads the config file. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = loadEnv(GatewayEnvSchema, env, 'gateway');
  return {
    configFile: parsed.PDME_CONFIG_FILE,
    redisUrl: parsed.REDIS_URL,
    host: parsed.GATEWAY_HOST,
    httpPort: parsed.GATEWAY_PORT,
    grpcPort: parsed.GATEWAY_GRPC_PORT,
    opsPort: parsed.OPS_PORT,
    logLevel: parsed.LOG_LEVEL,
    pdme: loadConfigFile(parsed.PDME_CONFIG_FILE),
  };
}
