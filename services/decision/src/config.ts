import { loadEnv, ServiceEnvSchema, type ServiceEnv } from '@pdme/common/config';

const DecisionEnvSchema = ServiceEnvSchema.extend({
  OPS_PORT: ServiceEnvSchema.shape.OPS_PORT.default(18130),
});

export function loadDecisionEnv(env: NodeJS.ProcessEnv): ServiceEnv {
  return loadEnv(DecisionEnvSchema, env, 'decision');
}
