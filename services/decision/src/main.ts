import { LiveConfig } from '@pdme/common/config';
import { TopicConsumer } from '@pdme/common/kafka';
import { counter, gauge, histogram } from '@pdme/common/metrics';
import { createRedis } from '@pdme/common/redis';
import { runMain, startServiceRuntime } from '@pdme/common/service';
import { reportLatencies } from '@pdme/common/stats-reports';
import { GROUPS, TOPICS } from '@pdme/common/topics';
import { loadDecisionEnv } from './config.js';
import { DecisionService } from './decisionService.js';
import { MirrorStore } from './mirrorStore.js';

runMain('decision', async () => {
  const env = loadDecisionEnv(process.env);
  const rt = await startServiceRuntime('decision', env);
  const store = new MirrorStore(rt.redis);
  // The live config (seeded from PDME_CONFIG_FILE): thresholds, maxMirrors, weights and servers
  // change without a restart when the gateway publishes a new version.
  const live = new LiveConfig({
    redis: rt.redis,
    subscriber: createRedis(env.REDIS_URL, rt.logger, rt.redisSecurity),
    initial: rt.config,
    logger: rt.logger,
    cipher: rt.atRest?.cipher,
  });
  rt.lifecycle.onShutdown('consumers', 'live-config', () => live.stop());
  await live.start();
  await store.registerServers(live.config.clusters);
  const configVersion = gauge(
    rt.registry,
    'pdme_config_version',
    'Version of the live PDME config in force',
    [],
  );
  configVersion.set(live.version);
  live.onChange(async ({ version, config }) => {
    await store.registerServers(config.clusters);
    configVersion.set(version);
    rt.logger.info({ event: 'decision.config.applied', version }, 'live config applied');
  });
  const lateCommands = counter(
    rt.registry,
    'pdme_decision_late_commands_total',
    'Mirror commands issued after the time they had to be live by',
    [],
  );
  const service = new DecisionService({
    config: () => live.config,
    store,
    publisher: rt.publisher,
    logger: rt.logger,
    now: Date.now,
    benefit: {
      originLatencyMs: env.DECISION_ORIGIN_LATENCY_MS,
      transferCostPerMiB: env.DECISION_TRANSFER_COST_PER_MIB,
    },
    maxForecastsPerCluster: env.DECISION_MAX_FORECASTS_PER_CLUSTER,
    onLateCommand: () => lateCommands.inc(),
  });
  const decisions = counter(rt.registry, 'pdme_decision_decisions_total', 'Decisions by kind', ['kind']);
  const decideLatency = histogram(
    rt.registry,
    'pdme_decision_decide_seconds',
    'One forecast decided: reservations and mirror commands included',
    [],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  const forecasts = new TopicConsumer({
    kafka: rt.kafka,
    groupId: GROUPS.decision,
    topic: TOPICS.demandForecasts,
    service: 'decision',
    logger: rt.logger,
    publisher: rt.publisher,
    registry: rt.registry,
    handle: async (forecast) => {
      const stopTimer = decideLatency.startTimer();
      const decision = await service.onForecast(forecast);
      stopTimer();
      decisions.inc({ kind: decision?.kind ?? 'ignored' });
    },
  });
  const results = new TopicConsumer({
    kafka: rt.kafka,
    groupId: GROUPS.decisionResults,
    topic: TOPICS.mirrorResults,
    service: 'decision',
    logger: rt.logger,
    publisher: rt.publisher,
    registry: rt.registry,
    handle: (result) => service.onResult(result),
  });
  rt.lifecycle.onShutdown('consumers', 'forecasts-consumer', () => forecasts.stop());
  rt.lifecycle.onShutdown('consumers', 'results-consumer', () => results.stop());
  await forecasts.start();
  await results.start();
  reportLatencies(rt, env.INSTANCE_ID, [
    { name: 'decide', description: 'one forecast decided, commands published', histogram: decideLatency },
  ]);
  rt.lifecycle.markReady();
});
