import { loadEnv, ServiceEnvSchema, type ServiceEnv } from '@pdme/common/config';

const DnsUpdaterEnvSchema = ServiceEnvSchema.extend({
  OPS_PORT: ServiceEnvSchema.shape.OPS_PORT.default(18140),
});

export function loadDnsUpdaterEnv(env: NodeJS.ProcessEnv): ServiceEnv {
  return loadEnv(DnsUpdaterEnvSchema, env, 'dns-updater');
}
