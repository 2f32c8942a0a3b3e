import { resourceTypeMatcher } from '@pdme/common/config';
import { TopicConsumer } from '@pdme/common/kafka';
import { counter } from '@pdme/common/metrics';
import { runMain, startServiceRuntime } from '@pdme/common/service';
import { GROUPS, TOPICS } from '@pdme/common/topics';
import { loadDecisionEnv } from './config.js';
import { DecisionService } from './decisionService.js';
import { MirrorStore } from './mirrorStore.js';

runMain('decision', async () => {
  const env = loadDecisionEnv(process.env);
  const rt = await startServiceRuntime('decision', env);
  const store = new MirrorStore(rt.redis);
  await store.registerServers(rt.config.clusters);
  const service = new DecisionService({
    config: rt.config,
    types: resourceTypeMatcher(rt.config),
    store,
    publisher: rt.publisher,
    logger: rt.logger,
    now: Date.now,
  });
  const decisions = counter(rt.registry, 'pdme_decision_decisions_total', 'Decisions by kind', ['kind']);
  const forecasts = new TopicConsumer({
    kafka: rt.kafka,
    groupId: GROUPS.decision,
    topic: TOPICS.demandForecasts,
    service: 'decision',
    logger: rt.logger,
    publisher: rt.publisher,
    registry: rt.registry,
    handle: async (forecast) => {
      const decision = await service.onForecast(forecast);
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
  rt.lifecycle.markReady();
});
