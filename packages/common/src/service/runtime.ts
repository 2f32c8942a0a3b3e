import type { Kafka } from 'kafkajs';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import {
  kafkaSecurity,
  loadConfigFile,
  loadTransportEnv,
  redisSecurity,
  type PdmeConfig,
  type RedisSecurity,
  type ServiceEnv,
} from '../config/index.js';
import { loadAtRestKeys, type AtRestKeys } from '../crypto/atRest.js';
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
  /** Envelope keys for data at rest (sealed topics, config and audit in Redis); absent: plaintext. */
  readonly atRest: AtRestKeys | undefined;
  readonly redis: Redis;
  /** TLS and ACL options of `redis`, for the service's further Redis connections (subscribers). */
  readonly redisSecurity: RedisSecurity;
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

  // Cross-field rules (cert without key, SASL without user) are checked here, once, for every service.
  const transport = loadTransportEnv(env, service);
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS,
    clientId: `${service}-${env.INSTANCE_ID}`,
    logger,
    ...kafkaSecurity(transport),
  });
  await ensureTopics(kafka, allTopicSpecs());
  const atRest = loadAtRestKeys(env.PDME_ENVELOPE_KEYRING_FILE, logger);
  atRest?.start();
  lifecycle.onShutdown('stores', 'keyring-reload', () => Promise.resolve(atRest?.stop()));
  const publisher = new Publisher(kafka, { cipher: atRest?.cipher });
  await publisher.connect();
  lifecycle.onShutdown('producers', 'kafka-producer', () => publisher.disconnect());

  const redisOptions = redisSecurity(transport, env.REDIS_URL);
  const redis = createRedis(env.REDIS_URL, logger, redisOptions);
  await redis.connect();
  lifecycle.onShutdown('stores', 'redis', async () => {
    await redis.quit();
  });

  logger.info({ event: `${service}.runtime.started`, opsPort: env.OPS_PORT }, 'runtime started');
  return {
    service,
    config,
    logger,
    registry,
    lifecycle,
    kafka,
    publisher,
    atRest,
    redis,
    redisSecurity: redisOptions,
    opsServer,
  };
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
