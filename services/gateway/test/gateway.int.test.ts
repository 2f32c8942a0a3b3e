import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { API_KEYS_HASH, ApiKeyStore } from '@pdme/common/auth';
import { REDIS_KEYS } from '@pdme/common/keys';
import type { CachedForecast, MirrorRecord } from '@pdme/common/mirror-state';
import { StatsServiceClient, type GetStatsRequest, type GetStatsResponse } from '@pdme/common/proto';
import { createRedis, type Redis } from '@pdme/common/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  STATS_SERVICE_NAME,
  startGrpcServer,
  toGetStatsResponse,
  type RunningGrpcServer,
} from '../src/grpcServer.js';
import { createHttpApp } from '../src/httpApp.js';
import { listenHttp, type RunningHttpServer } from '../src/httpServer.js';
import { StatsReader, type InvalidRecordKind, type StatsSnapshot } from '../src/statsReader.js';
import { capturingLogger, sampleConfig, sampleConfigDocument, writeSampleConfigFile } from './fixtures.js';
import { checkHealth, grpcClient, listServices } from './grpcClients.js';
import { MemoryConfigSource, MemoryEventSink } from './memorySources.js';

/** Gateway tests own Redis database 14 and flush only that one. */
const REDIS_URL = 'redis://127.0.0.1:6379/14';
const NOW = 1_700_000_100_000;

function mirror(cluster: string, resource: string, serverId: string, reservedBytes: number): MirrorRecord {
  return {
    resource,
    cluster,
    serverId,
    serverHost: `${serverId}.cache.example.net`,
    state: 'applied',
    commandId: `cmd-${cluster}-${resource}`,
    sinceMs: 1_700_000_000_000,
    reservedBytes,
    predictedDemand: 250.5,
    resourceType: 'video',
    lowWindows: 0,
  };
}

function forecast(cluster: string, resource: string, issuedMs: number): CachedForecast {
  return {
    resource,
    cluster,
    issuedMs,
    windowMs: 10_000,
    model: 'holt',
    observed: 120,
    flashCrowd: false,
    steps: [{ tsMs: issuedMs + 10_000, mean: 130, p50: 128, p90: 160 }],
  };
}

async function seed(redis: Redis): Promise<void> {
  await redis.flushdb();
  const config = sampleConfigDocument();
  const multi = redis.multi();
  for (const cluster of config.clusters) {
    for (const server of cluster.servers) {
      multi.hset(REDIS_KEYS.servers(cluster.id), server.id, JSON.stringify(server));
    }
  }
  multi.hset(REDIS_KEYS.capacity('eu'), { 'eu-a': '100000', 'eu-b': '50000' });
  multi.hset(REDIS_KEYS.capacity('us'), { 'us-a': '50000' });
  multi.hset(REDIS_KEYS.mirrors('eu'), {
    'a.video.example.com': JSON.stringify(mirror('eu', 'a.video.example.com', 'eu-a', 50_000)),
    'b.video.example.com': JSON.stringify(mirror('eu', 'b.video.example.com', 'eu-a', 50_000)),
    'c.video.example.com': JSON.stringify(mirror('eu', 'c.video.example.com', 'eu-b', 50_000)),
    'broken.video.example.com': '{not json',
    'wrong.video.example.com': JSON.stringify({ resource: 'wrong.video.example.com', state: 'bogus' }),
  });
  multi.hset(REDIS_KEYS.mirrors('us'), {
    'a.video.example.com': JSON.stringify(mirror('us', 'a.video.example.com', 'us-a', 50_000)),
  });
  multi.hset(REDIS_KEYS.counters, {
    mirrorsCreated: '7',
    mirrorsRemoved: '3',
    mirrorsFailed: '1',
    lateMirrors: '2',
  });
  multi.set(
    REDIS_KEYS.forecast('eu', 'a.video.example.com'),
    JSON.stringify(forecast('eu', 'a.video.example.com', NOW - 1_000)),
    'EX',
    600,
  );
  multi.set(
    REDIS_KEYS.forecast('us', 'a.video.example.com'),
    JSON.stringify(forecast('us', 'a.video.example.com', NOW - 500)),
    'EX',
    600,
  );
  multi.set(REDIS_KEYS.forecast('eu', 'b.video.example.com'), 'garbage', 'EX', 600);
  multi.set(
    REDIS_KEYS.forecast('eu', 'cold.video.example.com'),
    JSON.stringify(forecast('eu', 'cold.video.example.com', NOW)),
    'EX',
    600,
  );
  await multi.exec();
}

function getStats(client: StatsServiceClient, request: GetStatsRequest): Promise<GetStatsResponse> {
  return new Promise((resolve, reject) => {
    client.getStats(request, (error: ServiceError | null, response: GetStatsResponse) => {
      if (error) reject(error);
      else resolve(response);
    });
  });
}

describe('gateway against Redis (db 14)', () => {
  const config = sampleConfig();
  const { logger } = capturingLogger();
  const invalid: InvalidRecordKind[] = [];
  let redis: Redis;
  let reader: StatsReader;
  let http: RunningHttpServer;
  let grpc: RunningGrpcServer;
  let base: string;
  let stats: StatsServiceClient;

  beforeAll(async () => {
    redis = createRedis(REDIS_URL, logger);
    await redis.connect();
    await seed(redis);
    reader = new StatsReader(
      redis,
      config.clusters.map((c) => c.id),
      { now: () => NOW, onInvalid: (kind) => invalid.push(kind), scanCount: 2 },
    );
    http = await listenHttp(
      createHttpApp({
        reader,
        configStore: new MemoryConfigSource(config),
        events: new MemoryEventSink(),
        auth: undefined,
        logger,
      }),
      '127.0.0.1',
      0,
    );
    base = `http://127.0.0.1:${http.port}`;
    grpc = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      reader,
      logger,
      shutdownGraceMs: 500,
      auth: undefined,
    });
    stats = new StatsServiceClient(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    stats.close();
    await Promise.all([grpc.shutdown(), http.close()]);
    await redis.flushdb();
    await redis.quit();
  });

  describe('StatsReader', () => {
    it('assembles mirrors, server usage, counters and forecasts, skipping invalid records', async () => {
      invalid.length = 0;
      const snapshot = await reader.read({});
      expect(snapshot.mirrors.map((m) => `${m.cluster}/${m.resource}@${m.serverId}`)).toEqual([
        'eu/a.video.example.com@eu-a',
        'eu/b.video.example.com@eu-a',
        'eu/c.video.example.com@eu-b',
        'us/a.video.example.com@us-a',
      ]);
      expect(snapshot.mirrors[0]).toEqual({
        resource: 'a.video.example.com',
        cluster: 'eu',
        serverId: 'eu-a',
        serverHost: 'eu-a.cache.example.net',
        state: 'applied',
        commandId: 'cmd-eu-a.video.example.com',
        sinceMs: 1_700_000_000_000,
        reservedBytes: 50_000,
        predictedDemand: 250.5,
      });
      expect(snapshot.servers).toEqual([
        { cluster: 'eu', serverId: 'eu-a', capacityBytes: 1_000_000, usedBytes: 100_000, mirrors: 2 },
        { cluster: 'eu', serverId: 'eu-b', capacityBytes: 2_000_000, usedBytes: 50_000, mirrors: 1 },
        { cluster: 'us', serverId: 'us-a', capacityBytes: 3_000_000, usedBytes: 50_000, mirrors: 1 },
      ]);
      expect(snapshot).toMatchObject({
        mirrorsCreated: 7,
        mirrorsRemoved: 3,
        mirrorsFailed: 1,
        lateMirrors: 2,
        generatedMs: NOW,
        invalidRecords: 3,
      });
      expect(invalid.sort()).toEqual(['forecast', 'mirror', 'mirror']);
      // Forecasts of mirrored resources only (not cold.*), newest first; the garbage one is skipped.
      expect(snapshot.forecasts.map((f) => `${f.cluster}/${f.resource}`)).toEqual([
        'us/a.video.example.com',
        'eu/a.video.example.com',
      ]);
    });

    it('filters by cluster', async () => {
      const snapshot = await reader.read({ cluster: 'us' });
      expect(snapshot.mirrors.map((m) => m.cluster)).toEqual(['us']);
      expect(snapshot.servers.map((s) => s.serverId)).toEqual(['us-a']);
      expect(snapshot.forecasts.map((f) => f.cluster)).toEqual(['us']);
      expect(snapshot.invalidRecords).toBe(0);
    });

    it('filters by resource, with forecasts even where nothing is mirrored', async () => {
      const mirrored = await reader.read({ resource: 'a.video.example.com' });
      expect(mirrored.mirrors.map((m) => m.cluster)).toEqual(['eu', 'us']);
      // Server usage describes whole servers, whatever the resource filter.
      expect(mirrored.servers.find((s) => s.serverId === 'eu-a')?.mirrors).toBe(2);
      const cold = await reader.read({ cluster: 'eu', resource: 'cold.video.example.com' });
      expect(cold.mirrors).toEqual([]);
      expect(cold.forecasts.map((f) => f.resource)).toEqual(['cold.video.example.com']);
    });

    it('filters mirrors by the time range on sinceMs (since inclusive, until exclusive)', async () => {
      const at = 1_700_000_000_000; // every seeded mirror's sinceMs
      expect((await reader.read({ since: at })).mirrors).toHaveLength(4);
      expect((await reader.read({ since: at + 1 })).mirrors).toEqual([]);
      expect((await reader.read({ until: at })).mirrors).toEqual([]);
      const inside = await reader.read({ cluster: 'us', since: at - 1, until: at + 1 });
      expect(inside.mirrors.map((m) => m.cluster)).toEqual(['us']);
      // Forecasts follow the mirrors that pass the filter.
      expect((await reader.read({ since: at + 1 })).forecasts).toEqual([]);
    });

    it('reports forecast ages and the read time as performance', async () => {
      const { performance } = await reader.read({});
      // Forecasts were issued at NOW-500 (us) and NOW-1000 (eu).
      expect(performance.forecastAgeMs).toEqual({ median: 750, max: 1_000 });
      expect(performance.readMs).toBeGreaterThan(0);
      expect((await reader.read({ since: NOW })).performance.forecastAgeMs).toBeNull();
    });

    it('bounds the forecasts it returns', async () => {
      const bounded = new StatsReader(redis, ['eu', 'us'], { maxForecasts: 1 });
      expect((await bounded.read({})).forecasts).toHaveLength(1);
    });

    it('reports an unreachable Redis as UNAVAILABLE', async () => {
      const down = createRedis('redis://127.0.0.1:1/14', logger, {
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      try {
        await expect(new StatsReader(down, ['eu']).read({})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      } finally {
        down.disconnect();
      }
    });
  });

  describe('HTTP', () => {
    it('GET /pdme/stats answers what is in Redis', async () => {
      const res = await fetch(`${base}/pdme/stats`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as StatsSnapshot;
      // Equal but for readMs, which is timed afresh on every read.
      const direct = await reader.read({});
      expect({ ...body, performance: { ...body.performance, readMs: 0 } }).toEqual({
        ...direct,
        performance: { ...direct.performance, readMs: 0 },
      });
      expect(body.mirrors).toHaveLength(4);
    });

    it('GET /pdme/stats?cluster= filters by cluster', async () => {
      const body = (await (await fetch(`${base}/pdme/stats?cluster=eu`)).json()) as StatsSnapshot;
      expect(new Set(body.mirrors.map((m) => m.cluster))).toEqual(new Set(['eu']));
      expect(body.mirrors).toHaveLength(3);
      expect(body.servers.map((s) => s.serverId)).toEqual(['eu-a', 'eu-b']);
    });

    it('GET /pdme/stats?since=&until= filters mirrors by time', async () => {
      const query = 'since=2023-11-14T22:13:20Z&until=1700000000001';
      const body = (await (await fetch(`${base}/pdme/stats?${query}`)).json()) as StatsSnapshot;
      expect(body.mirrors).toHaveLength(4);
      const later = (await (await fetch(`${base}/pdme/stats?since=1700000000001`)).json()) as StatsSnapshot;
      expect(later.mirrors).toEqual([]);
    });

    it('a bad cluster gets 400 naming the field', async () => {
      const res = await fetch(`${base}/pdme/stats?cluster=mars`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { code: 'BAD_INPUT', fields: [{ field: 'cluster' }] },
      });
    });
  });

  describe('gRPC', () => {
    it('GetStats answers the same mirrors as HTTP', async () => {
      const viaHttp = (await (await fetch(`${base}/pdme/stats?cluster=eu`)).json()) as StatsSnapshot;
      const viaGrpc = await getStats(stats, { cluster: 'eu', resource: '' });
      expect(viaGrpc.mirrors).toEqual(viaHttp.mirrors);
      expect(viaGrpc).toEqual(toGetStatsResponse(await reader.read({ cluster: 'eu' })));
    });

    it('the health service answers SERVING', async () => {
      const client = grpcClient(`127.0.0.1:${grpc.port}`);
      try {
        expect(await checkHealth(client, '')).toBe('SERVING');
        expect(await checkHealth(client, STATS_SERVICE_NAME)).toBe('SERVING');
      } finally {
        client.close();
      }
    });

    it('reflection lists pdme.v1.StatsService', async () => {
      const client = grpcClient(`127.0.0.1:${grpc.port}`);
      try {
        expect(await listServices(client)).toContain(STATS_SERVICE_NAME);
      } finally {
        client.close();
      }
    });
  });
});

describe('main.ts as a process', () => {
  it('starts, serves, reports ready on the ops port and shuts down on SIGTERM', async () => {
    const file = writeSampleConfigFile();
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/gateway/src/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env['PATH'],
        PDME_CONFIG_FILE: file.path,
        REDIS_URL,
        GATEWAY_PORT: '0',
        GATEWAY_GRPC_PORT: '0',
        OPS_PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events: Record<string, unknown>[] = [];
    let buffer = '';
    const started = new Promise<Record<string, unknown>>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          const entry = JSON.parse(line) as Record<string, unknown>;
          events.push(entry);
          if (entry['event'] === 'gateway.started') resolve(entry);
        }
      });
      child.once('exit', (code) => reject(new Error(`gateway exited early with ${String(code)}`)));
    });
    try {
      const info = await started;
      const httpPort = Number(info['httpPort']);
      const grpcPort = Number(info['grpcPort']);
      const opsPort = Number(info['opsPort']);
      expect([httpPort, grpcPort, opsPort].every((p) => p > 0)).toBe(true);

      expect((await fetch(`http://127.0.0.1:${httpPort}/pdme/stats?cluster=us`)).status).toBe(401);
      const keyStore = createRedis(REDIS_URL, capturingLogger().logger);
      await keyStore.connect();
      const { key, info: keyInfo } = await new ApiKeyStore(keyStore).create('pdme:read', 'main-test');
      const authorized = await fetch(`http://127.0.0.1:${httpPort}/pdme/stats?cluster=us`, {
        headers: { authorization: `Bearer ${key}` },
      });
      await keyStore.hdel(API_KEYS_HASH, keyInfo.id);
      await keyStore.quit();
      expect(authorized.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
      expect(metrics).toContain('pdme_gateway_http_request_duration_seconds');
      const client = grpcClient(`127.0.0.1:${grpcPort}`);
      expect(await checkHealth(client, '')).toBe('SERVING');
      client.close();

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      expect(events.map((e) => e['event'])).toContain('lifecycle.stopped');
      expect(events.filter((e) => e['event'] === 'lifecycle.step_failed')).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      file.cleanup();
    }
  });
});
