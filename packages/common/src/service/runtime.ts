import type { Kafka } from 'kafkajs';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { loadConfigFile, type PdmeConfig, type ServiceEnv } from '../config/index.js';
import { createKafka, ensureTopics, Publisher } from '../kafka/index.js';
import { Lifecycle } from '../lifecycle/index.js';
import { createLogger, type Logger } from '../logging/index.js';
import { createRegistry, startOpsServer } from '../metrics/index.js';
import { createRedis } from '../redis/index.js';
import { allTopicSpecs } from '../topics.js';

export interface ServiceRuntime {
  readonly service: string;
  readonly config: PdmeConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly lifecycle: Lifecycle;
  readonly kafka: Kafka;
  readonly publisher: Publisher;
  readonly redis: Redis;
  readonly opsServer: Server;
}

/**
 * What every service does before its own work: validated config, logger, metrics and probes,
 * Kafka (topics ensured, producer connected), Redis, and shutdown steps in the right phases. The
 * service then adds its consumers and servers and calls `lifecycle.markReady()`.
 */
export async function startServiceRuntime(service: string, env: ServiceEnv): Promise<ServiceRuntime> {
  const logger = createLogger(service, { level: env.LOG_LEVEL });
  const config = loadConfigFile(env.PDME_CONFIG_FILE);
  const registry = createRegistry(service);
  const lifecycle = new Lifecycle(logger);
  lifecycle.handleSignals();
  const opsServer = await startOpsServer({
    host: env.OPS_HOST,
    port: env.OPS_PORT,
    registry,
    isReady: () => lifecycle.isReady(),
  });
  lifecycle.onShutdown('servers', 'ops-server', () => closeServer(opsServer));

  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS,
    clientId: `${service}-${env.INSTANCE_ID}`,
    logger,
  });
  await ensureTopics(kafka, allTopicSpecs());
  const publisher = new Publisher(kafka);
  await publisher.connect();
  lifecycle.onShutdown('producers', 'kafka-producer', () => publisher.disconnect());

  const redis = createRedis(env.REDIS_URL, logger);
  await redis.connect();
  lifecycle.onShutdown('stores', 'redis', async () => {
    await redis.quit();
  });

  logger.info({ event: `${service}.runtime.started`, opsPort: env.OPS_PORT }, 'runtime started');
  return { service, config, logger, registry, lifecycle, kafka, publisher, redis, opsServer };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Runs a service's main and turns a start-up failure into one clear log line and exit code 1. */
export function runMain(service: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const logger = createLogger(service);
    logger.fatal(
      { event: `${service}.start_failed`, error: error instanceof Error ? error.message : String(error) },
      'start-up failed',
    );
    process.exit(1);
  });
}
