import { loadEnv, ServiceEnvSchema, type ServiceEnv } from '@pdme/common/config';

const ForecasterEnvSchema = ServiceEnvSchema.extend({
  OPS_PORT: ServiceEnvSchema.shape.OPS_PORT.default(18120),
});

export type ForecasterEnv = ServiceEnv;

export function loadForecasterEnv(env: NodeJS.ProcessEnv): ForecasterEnv {
  return loadEnv(ForecasterEnvSchema, env, 'forecaster');
}
