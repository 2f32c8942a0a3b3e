import { TopicConsumer } from '@pdme/common/kafka';
import { counter, histogram } from '@pdme/common/metrics';
import { MirrorOutcome } from '@pdme/common/proto';
import { runMain, startServiceRuntime } from '@pdme/common/service';
import { reportLatencies } from '@pdme/common/stats-reports';
import { GROUPS, TOPICS } from '@pdme/common/topics';
import { redisLedger } from './appliedLedger.js';
import { CommandApplier } from './commandApplier.js';
import { cacheTls, loadDnsUpdaterEnv, tsigKeyEnv } from './config.js';
import { redisDesiredMirrors } from './desiredMirrors.js';
import { httpHealthCheck } from './healthCheck.js';
import { redisOwnedNames } from './ownedNames.js';
import { Reconciler } from './reconciler.js';
import { DnsUpdateClient } from './rfc2136/index.js';
import { loadClusterKeys } from './tsigKeys.js';
import { UpdateBatcher } from './updateBatcher.js';

runMain('dns-updater', async () => {
  const env = loadDnsUpdaterEnv(process.env);
  const rt = await startServiceRuntime('dns-updater', env);
  const dryRun = process.argv.includes('--dry-run') || env.DRY_RUN === 'true';
  const config =
    dryRun || env.DRY_RUN === 'false'
      ? { ...rt.config, dnsUpdater: { ...rt.config.dnsUpdater, dryRun } }
      : rt.config;
  const keys = loadClusterKeys(config.clusters, tsigKeyEnv(process.env));
  // Updates from concurrent work (commands, reconciliation) share messages per zone.
  const clients = new Map(
    config.clusters.map((c) => [
      c.id,
      new UpdateBatcher({
        client: new DnsUpdateClient({ server: c.dns.server, port: c.dns.port, key: keys.get(c.id) }),
        windowMs: env.BATCH_WINDOW_MS,
        maxChanges: env.BATCH_MAX_CHANGES,
        maxInFlight: env.BATCH_IN_FLIGHT,
      }),
    ]),
  );
  const tls = cacheTls(env);
  const owned = redisOwnedNames(rt.redis);
  const applier = new CommandApplier({
    config,
    clients,
    logger: rt.logger,
    now: Date.now,
    ledger: redisLedger(rt.redis),
    owned,
    ...(tls === undefined ? {} : { cacheTls: tls }),
  });
  const outcomes = counter(rt.registry, 'pdme_dns_updater_commands_total', 'Mirror commands by outcome', [
    'outcome',
  ]);
  // Command issued by decision -> record updated and verified in DNS: what /pdme/stats shows as the
  // DNS update latency.
  const toVisible = histogram(
    rt.registry,
    'pdme_dns_updater_command_to_visible_seconds',
    'Mirror command issued to the DNS record verified, for applied commands',
    [],
    [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
  );
  const consumer = new TopicConsumer({
    kafka: rt.kafka,
    groupId: GROUPS.dnsUpdater,
    topic: TOPICS.mirrorCommands,
    service: 'dns-updater',
    logger: rt.logger,
    publisher: rt.publisher,
    registry: rt.registry,
    // A DNS server that is down is waited for (retries with backoff and jitter): commands are applied
    // once it is back, in order.
    maxAttempts: Number.POSITIVE_INFINITY,
    handle: async (command) => {
      const result = await applier.apply(command);
      outcomes.inc({ outcome: result === undefined ? 'duplicate' : MirrorOutcome[result.outcome] });
      if (result?.outcome === MirrorOutcome.MIRROR_OUTCOME_APPLIED)
        toVisible.observe(result.latencyMs / 1000);
      if (result !== undefined) {
        await rt.publisher.publish(TOPICS.mirrorResults, [{ key: result.resource, value: result }]);
      }
    },
  });
  rt.lifecycle.onShutdown('consumers', 'mirror-commands-consumer', () => consumer.stop());
  await consumer.start();
  reportLatencies(rt, env.INSTANCE_ID, [
    {
      name: 'command-to-visible',
      description: 'mirror command issued to the DNS record updated and verified',
      histogram: toVisible,
    },
  ]);

  if (env.RECONCILE_INTERVAL_MS > 0) {
    const reconciler = new Reconciler({
      config,
      clients,
      desired: redisDesiredMirrors(rt.redis),
      owned,
      healthCheck: httpHealthCheck(2_000, tls),
      publishResult: (result) =>
        rt.publisher.publish(TOPICS.mirrorResults, [{ key: result.resource, value: result }]),
      logger: rt.logger,
      now: Date.now,
    });
    const stop = new AbortController();
    const running = reconciler.loop(env.RECONCILE_INTERVAL_MS, stop.signal);
    rt.lifecycle.onShutdown('consumers', 'reconcile-loop', async () => {
      stop.abort();
      await running;
    });
  }
  rt.lifecycle.markReady();
});
