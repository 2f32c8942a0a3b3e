import { loadEnv, ServiceEnvSchema, z } from '@pdme/common/config';

const ForecasterEnvSchema = ServiceEnvSchema.extend({
  OPS_PORT: ServiceEnvSchema.shape.OPS_PORT.default(18120),
  /** Window state is persisted (and offsets committed) at least this often per partition. */
  WINDOW_PERSIST_EVERY_MS: z.coerce.number().int().min(0).default(1000),
  /** A side instance (a test, a shadow) runs in its own groups and Redis keys. */
  KAFKA_GROUP_SUFFIX: z.string().default(''),
  WINDOW_STATE_KEY_PREFIX: z.string().default(''),
  /** Accuracy and latency summaries are written to Redis (for the gateway's stats) this often. */
  STATS_REPORT_EVERY_MS: z.coerce.number().int().min(250).default(5000),
  /** Series listed per accuracy report, by scored volume (bounds the Redis value). */
  STATS_TOP_SERIES: z.coerce.number().int().min(0).max(1000).default(50),
});

export type ForecasterEnv = z.output<typeof ForecasterEnvSchema>;

export function loadForecasterEnv(env: NodeJS.ProcessEnv): ForecasterEnv {
  return loadEnv(ForecasterEnvSchema, env, 'forecaster');
}
