import { loadEnv, ServiceEnvSchema, z } from '@pdme/common/config';

const DecisionEnvSchema = ServiceEnvSchema.extend({
  OPS_PORT: ServiceEnvSchema.shape.OPS_PORT.default(18130),
  /** Benefit policy: latency of a request the origin serves (a mirror saves this less its own). */
  DECISION_ORIGIN_LATENCY_MS: z.coerce.number().nonnegative().default(100),
  /** Benefit policy: cost of moving one MiB onto a cache of network cost 1, in ms of latency saved. */
  DECISION_TRANSFER_COST_PER_MIB: z.coerce.number().nonnegative().default(1),
  /** Benefit policy: resources whose latest forecast is remembered, per cluster. */
  DECISION_MAX_FORECASTS_PER_CLUSTER: z.coerce.number().int().positive().default(100_000),
});

export type DecisionEnv = z.output<typeof DecisionEnvSchema>;

export function loadDecisionEnv(env: NodeJS.ProcessEnv): DecisionEnv {
  return loadEnv(DecisionEnvSchema, env, 'decision');
}
