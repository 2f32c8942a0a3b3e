import { loadEnv, ServiceEnvSchema, z } from '@pdme/common/config';

const ForecasterEnvSchema = ServiceEnvSchema.extend({
  OPS_PORT: ServiceEnvSchema.shape.OPS_PORT.default(18120),
  /** Window state is persisted (and offsets committed) at least this often per partition. */
  WINDOW_PERSIST_EVERY_MS: z.coerce.number().int().min(0).default(1000),
  /** A side instance (a test, a shadow) runs in its own groups and Redis keys. */
  KAFKA_GROUP_SUFFIX: z.string().default(''),
  WINDOW_STATE_KEY_PREFIX: z.string().default(''),
});

export type ForecasterEnv = z.output<typeof ForecasterEnvSchema>;

export function loadForecasterEnv(env: NodeJS.ProcessEnv): ForecasterEnv {
  return loadEnv(ForecasterEnvSchema, env, 'forecaster');
}
