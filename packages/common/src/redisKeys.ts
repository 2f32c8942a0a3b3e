/** Redis keys, each with one owning service (in brackets). All are prefixed `pdme:`. */
export const REDIS_KEYS = {
  /** Hash server id -> reserved bytes [decision]. */
  capacity: (cluster: string) => `pdme:capacity:${cluster}`,
  /** Hash server id -> JSON of the server's static description [decision, from config]. */
  servers: (cluster: string) => `pdme:servers:${cluster}`,
  /** Hash resource -> JSON mirror record, per cluster [decision]. */
  mirrors: (cluster: string) => `pdme:mirrors:${cluster}`,
  /** Latest forecast per (cluster, resource), JSON with a TTL [forecaster]. */
  forecast: (cluster: string, resource: string) => `pdme:forecast:${cluster}:${resource}`,
  /** Counters for stats: mirrors created, removed, failed, late [decision]. */
  counters: 'pdme:stats:counters',
  /** Hash forecaster instance -> JSON accuracy report (totals per model, top series) [forecaster]. */
  forecastAccuracy: 'pdme:stats:forecast-accuracy',
  /** Hash `<service>/<name>/<instance>` -> JSON latency summary (p50/p99) [each service, own fields]. */
  latency: 'pdme:stats:latency',
  /** Command ids already applied, with a TTL, so replays are no-ops [dns-updater]. */
  appliedCommand: (commandId: string) => `pdme:applied:${commandId}`,
  /** Window state of the forecaster, per partition [forecaster]. */
  windows: (partition: number) => `pdme:windows:${partition}`,
  /** The live config document and its version [gateway]. */
  config: 'pdme:config',
  configChannel: 'pdme:config:changed',
} as const;
