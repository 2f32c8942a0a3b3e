import { kafkaSecurity, redisSecurity } from '@pdme/common/config';
import { ApiKeyStore, Authenticator, jwtVerifier, loadJwtSettings } from '@pdme/common/auth';
import { loadAtRestKeys } from '@pdme/common/crypto';
import { errorMessage } from '@pdme/common/errors';
import { createKafka, ensureTopics, Publisher } from '@pdme/common/kafka';
import { Lifecycle } from '@pdme/common/lifecycle';
import { createLogger } from '@pdme/common/logging';
import { counter, createRegistry, startOpsServer } from '@pdme/common/metrics';
import type { ExternalEvent } from '@pdme/common/proto';
import { createRedis } from '@pdme/common/redis';
import { TOPICS, allTopicSpecs } from '@pdme/common/topics';
import { loadGatewayConfig } from './config.js';
import { RedisConfigStore } from './configStore.js';
import { startGrpcServer } from './grpcServer.js';
import { createHttpApp } from './httpApp.js';
import { listenHttp } from './httpServer.js';
import { CachedStatsSource } from './cachedStatsSource.js';
import { StatsReader } from './statsReader.js';
import { loadServerTls } from './serverTls.js';

/** Wiring only: every piece lives in its own module. Shutdown steps are registered as pieces start. */
async function main(): Promise<void> {
  let logger = createLogger('gateway');
  let lifecycle = new Lifecycle(logger);
  try {
    const config = loadGatewayConfig();
    logger = createLogger('gateway', { level: config.logLevel });
    lifecycle = new Lifecycle(logger);
    lifecycle.handleSignals();
    const registry = createRegistry('gateway');
    const invalidRecords = counter(
      registry,
      'pdme_gateway_invalid_records_total',
      'Redis records skipped as invalid',
      ['kind'],
    );

    // Each shutdown step is registered as soon as its piece exists, so a failed start cleans up too.
    // Lifecycle.shutdown() marks not-ready first, then runs phase by phase (registration order within
    // a phase): API servers drain, Redis quits, the ops server goes last so probes see "not ready".
    const apiServers: (() => Promise<void>)[] = [];
    lifecycle.onShutdown('servers', 'api-servers', async () => {
      await Promise.all(apiServers.map((stop) => stop())); // gRPC tryShutdown and HTTP close, together
    });
    const redis = createRedis(config.redisUrl, logger, redisSecurity(config.transport, config.redisUrl));
    lifecycle.onShutdown('stores', 'redis', async () => {
      if (redis.status === 'ready') await redis.quit();
      else redis.disconnect(); // QUIT would queue behind a connection that never came
    });
    await redis.connect();
    // HTTP, gRPC and WatchStats share one short-lived answer per filter instead of each scanning Redis.
    const reader = new CachedStatsSource(
      new StatsReader(
        redis,
        config.pdme.clusters.map((cluster) => cluster.id),
        { onInvalid: (kind) => invalidRecords.inc({ kind }) },
      ),
    );
    const isReady = () => lifecycle.isReady();
    const atRest = loadAtRestKeys(config.envelopeKeyringFile, logger);
    atRest?.start();
    lifecycle.onShutdown('stores', 'keyring-reload', () => Promise.resolve(atRest?.stop()));
    const configStore = new RedisConfigStore(redis, config.pdme, { cipher: atRest?.cipher });
    const live = await configStore.current(); // seeds Redis from PDME_CONFIG_FILE when absent
    // Values stored in the clear (before sealing was on) or under an older key move to the active
    // key, at start and then periodically, so a rotated-out key can be dropped.
    const reseal = async () => {
      try {
        const resealed = await configStore.resealAtRest();
        if (resealed > 0)
          logger.info({ event: 'gateway.config.resealed', values: resealed }, 'config re-sealed');
      } catch (error) {
        logger.warn(
          { event: 'gateway.config.reseal_failed', error: errorMessage(error) },
          'config not re-sealed',
        );
      }
    };
    await reseal();
    const resealTimer = setInterval(() => void reseal(), 30_000);
    resealTimer.unref();
    lifecycle.onShutdown('stores', 'config-reseal', () => Promise.resolve(clearInterval(resealTimer)));

    const kafka = createKafka({
      brokers: config.kafkaBrokers,
      clientId: 'gateway',
      logger,
      ...kafkaSecurity(config.transport),
    });
    await ensureTopics(kafka, allTopicSpecs());
    const publisher = new Publisher(kafka, { cipher: atRest?.cipher });
    lifecycle.onShutdown('producers', 'kafka-producer', () => publisher.disconnect());
    await publisher.connect();
    const events = {
      publish: (event: ExternalEvent) =>
        publisher.publish(TOPICS.externalEvents, [{ key: event.eventId, value: event }]),
    };

    const jwtSettings = loadJwtSettings(config.jwt);
    const auth = config.authEnabled
      ? new Authenticator({
          keys: new ApiKeyStore(redis),
          ...(jwtSettings === undefined ? {} : { jwt: jwtVerifier(jwtSettings) }),
        })
      : undefined;
    if (auth === undefined) {
      logger.warn({ event: 'gateway.auth.disabled' }, 'GATEWAY_AUTH=off: every caller may change PDME');
    }

    const tls = loadServerTls(config.tls);
    const http = await listenHttp(
      createHttpApp({
        reader,
        configStore,
        events,
        auth,
        rateLimits: config.rateLimits,
        logger,
        registry,
        isReady,
      }),
      config.host,
      config.httpPort,
      tls,
    );
    apiServers.push(() => http.close());
    const grpc = await startGrpcServer({
      host: config.host,
      port: config.grpcPort,
      reader,
      logger,
      auth,
      ...(tls === undefined ? {} : { tls }),
    });
    apiServers.push(() => grpc.shutdown());
    const ops = await startOpsServer({ host: config.host, port: config.opsPort, registry, isReady });
    lifecycle.onShutdown(
      'stores',
      'ops-server',
      () => new Promise<void>((resolve) => ops.close(() => resolve())),
    );

    lifecycle.markReady();
    const opsAddress = ops.address();
    logger.info(
      {
        event: 'gateway.started',
        host: config.host,
        httpPort: http.port,
        grpcPort: grpc.port,
        opsPort: typeof opsAddress === 'object' && opsAddress !== null ? opsAddress.port : config.opsPort,
        clusters: reader.clusters,
        configVersion: live.version,
        auth: auth === undefined ? 'off' : jwtSettings === undefined ? 'api-keys' : 'api-keys+jwt',
        tls: tls === undefined ? 'off' : tls.clientCa === undefined ? 'server' : 'mutual',
      },
      'gateway started',
    );
  } catch (error) {
    logger.fatal({ event: 'gateway.start_failed', error: errorMessage(error) }, 'gateway failed to start');
    await lifecycle.shutdown().catch(() => undefined);
    process.exit(1);
  }
}

await main();
