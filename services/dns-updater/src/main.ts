import { TopicConsumer } from '@pdme/common/kafka';
import { REDIS_KEYS } from '@pdme/common/keys';
import { counter } from '@pdme/common/metrics';
import { MirrorOutcome } from '@pdme/common/proto';
import { runMain, startServiceRuntime } from '@pdme/common/service';
import { GROUPS, TOPICS } from '@pdme/common/topics';
import { CommandApplier } from './commandApplier.js';
import { loadDnsUpdaterEnv } from './config.js';
import { DnsUpdateClient } from './rfc2136/index.js';
import { loadClusterKeys } from './tsigKeys.js';

runMain('dns-updater', async () => {
  const env = loadDnsUpdaterEnv(process.env);
  const rt = await startServiceRuntime('dns-updater', env);
  const keys = loadClusterKeys(rt.config.clusters, process.env);
  const clients = new Map(
    rt.config.clusters.map((c) => [
      c.id,
      new DnsUpdateClient({ server: c.dns.server, port: c.dns.port, key: keys.get(c.id) }),
    ]),
  );
  const applier = new CommandApplier({
    config: rt.config,
    clients,
    logger: rt.logger,
    now: Date.now,
    ledger: {
      has: async (id) => (await rt.redis.exists(REDIS_KEYS.appliedCommand(id))) === 1,
      record: async (id) => {
        await rt.redis.set(REDIS_KEYS.appliedCommand(id), '1', 'EX', 7 * 86_400);
      },
    },
  });
  const outcomes = counter(rt.registry, 'pdme_dns_updater_commands_total', 'Mirror commands by outcome', [
    'outcome',
  ]);
  const consumer = new TopicConsumer({
    kafka: rt.kafka,
    groupId: GROUPS.dnsUpdater,
    topic: TOPICS.mirrorCommands,
    service: 'dns-updater',
    logger: rt.logger,
    publisher: rt.publisher,
    registry: rt.registry,
    // A DNS server that is down is waited for: commands are applied once it is back, in order.
    maxAttempts: Number.POSITIVE_INFINITY,
    handle: async (command) => {
      const result = await applier.apply(command);
      outcomes.inc({ outcome: result === undefined ? 'duplicate' : MirrorOutcome[result.outcome] });
      if (result !== undefined) {
        await rt.publisher.publish(TOPICS.mirrorResults, [{ key: result.resource, value: result }]);
      }
    },
  });
  rt.lifecycle.onShutdown('consumers', 'mirror-commands-consumer', () => consumer.stop());
  await consumer.start();
  rt.lifecycle.markReady();
});
