// Decision throughput and forecast-to-command latency with 100k active resources.
//   pnpm exec tsx bench/decision/decisions.ts            pure code path, in process
//   pnpm exec tsx bench/decision/decisions.ts --redis    also the Lua reservation path (real Redis, db 15)
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { readStackState } from '@pdme/cli/stack';
import type { ClusterConfig, PdmeConfig, ResourceTypeConfig } from '@pdme/common/config';
import { REDIS_KEYS } from '@pdme/common/keys';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import { MirrorAction, MirrorCommand } from '@pdme/common/proto';
import {
  commandId,
  decideMirroring,
  MirrorStore,
  planByBenefit,
  type Candidate,
  type ForecastView,
} from '../../services/decision/src/index.js';

const RESOURCES = 100_000;
const WINDOW_MS = 10_000;

const type: ResourceTypeConfig = {
  name: 'video',
  patterns: ['**'],
  threshold: 20,
  unmirrorThreshold: 5,
  maxMirrors: 2,
  sizeBytes: 1_000_000,
  ttlSeconds: 30,
  warmPaths: ['/'],
};
const settings: PdmeConfig['decision'] = {
  policy: 'greedy',
  weights: { latency: 1, capacity: 1, diversity: 1, cost: 0.5 },
  hysteresisWindows: 3,
  minLifetimeMs: 60_000,
  warmTimeMs: 2_000,
};
const servers = Array.from({ length: 4 }, (_, i) => ({
  id: `bench-${i}`,
  host: `bench-${i}.cache.pdme.test`,
  address: '127.0.0.1',
  port: 18080,
  capacityBytes: 1e15,
  latencyMs: 5 + i,
  region: `r${i % 2}`,
  cost: 1 + i / 10,
}));

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function report(label: string, latencies: Float64Array, totalMs: number): void {
  const sorted = Float64Array.from(latencies).sort();
  const perSecond = (latencies.length / totalMs) * 1000;
  process.stdout.write(
    `${label.padEnd(58)} ${Math.round(perSecond).toLocaleString('en').padStart(10)} /s   ` +
      `p50 ${(percentile(sorted, 0.5) * 1000).toFixed(1)} µs   p99 ${(percentile(sorted, 0.99) * 1000).toFixed(1)} µs\n`,
  );
}

/** Forecasts for 100k resources, a fifth of them over the threshold. */
function forecasts(): ForecastView[] {
  return Array.from({ length: RESOURCES }, (_, i) => ({
    resource: `r${i}.cdn.pdme.test`,
    cluster: 'c1',
    issuedMs: 1_000_000,
    steps: Array.from({ length: 12 }, (_, s) => ({
      tsMs: 1_000_000 + (s + 1) * WINDOW_MS,
      mean: i % 5 === 0 ? 30 + s : 3,
    })),
  }));
}

/** Pure path: forecast in, decision, command id and encoded MirrorCommand out. */
function benchPure(all: readonly ForecastView[]): void {
  const candidates: Candidate[] = servers.map((server) => ({ server, usedBytes: 0, healthy: true }));
  const latencies = new Float64Array(all.length);
  const start = performance.now();
  all.forEach((forecast, i) => {
    const t0 = performance.now();
    const decision = decideMirroring({
      forecast,
      type,
      mirrors: [],
      candidates,
      regionOf: (id) => servers.find((s) => s.id === id)?.region,
      settings,
      nowMs: forecast.issuedMs,
    });
    if (decision.kind === 'mirror') {
      const server = decision.server.server;
      const id = commandId({
        action: 'mirror',
        cluster: forecast.cluster,
        resource: forecast.resource,
        serverId: server.id,
        generationMs: forecast.issuedMs,
      });
      MirrorCommand.encode(
        MirrorCommand.fromPartial({
          commandId: id,
          action: MirrorAction.MIRROR_ACTION_MIRROR,
          resource: forecast.resource,
          cluster: forecast.cluster,
          serverId: server.id,
          serverHost: server.host,
          liveByMs: decision.liveByMs,
          reservedBytes: type.sizeBytes,
        }),
      ).finish();
    }
    latencies[i] = performance.now() - t0;
  });
  report('greedy: forecast -> decision -> command', latencies, performance.now() - start);

  const planStart = performance.now();
  const chosen = planByBenefit(
    all.map((f, i) => ({
      resource: f.resource,
      predictedHits: f.steps.reduce((s, x) => s + x.mean, 0),
      size: 1_000_000 + (i % 7) * 100_000,
      resident: i % 3 === 0,
    })),
    { size: 20_000 * 1_000_000, objects: Infinity },
    { savedPerHit: 1, transferPerUnit: 1e-6 },
  );
  const planMs = performance.now() - planStart;
  process.stdout.write(
    `benefit: one plan over ${RESOURCES.toLocaleString('en')} resources`.padEnd(59) +
      `${planMs.toFixed(1)} ms (${chosen.length} placed, ${Math.round((RESOURCES / planMs) * 1000).toLocaleString('en')} resources/s)\n`,
  );
}

/** Lua reservation path against the real Redis (db 15), with 64 reservations in flight. */
async function benchRedis(all: readonly ForecastView[]): Promise<void> {
  const state = readStackState();
  if (state === undefined) {
    process.stdout.write('redis: skipped (no local stack: `pnpm pdme stack up`)\n');
    return;
  }
  const redis = new Redis(state.redisUrl, { db: 15 });
  const store = new MirrorStore(redis);
  const clusterId = `x-bench-${randomBytes(3).toString('hex')}`;
  const cluster: ClusterConfig = {
    id: clusterId,
    region: 'bench',
    subnets: [],
    dns: { server: '127.0.0.1', port: 15353, zone: 'cdn.pdme.test', keyName: 'k' },
    servers,
  };
  try {
    const latencies = new Float64Array(all.length);
    let next = 0;
    const start = performance.now();
    const worker = async (): Promise<void> => {
      for (let i = next++; i < all.length; i = next++) {
        const forecast = all[i];
        if (forecast === undefined) continue;
        const t0 = performance.now();
        const candidates = await store.candidates(cluster);
        const decision = decideMirroring({
          forecast: { ...forecast, steps: forecast.steps.map((s) => ({ ...s, mean: 50 })) },
          type,
          mirrors: [],
          candidates,
          regionOf: (id) => servers.find((s) => s.id === id)?.region,
          settings,
          nowMs: forecast.issuedMs,
        });
        if (decision.kind === 'mirror') {
          const server = decision.server.server;
          const record: MirrorRecord = {
            resource: forecast.resource,
            cluster: clusterId,
            serverId: server.id,
            serverHost: server.host,
            state: 'pending',
            commandId: commandId({
              action: 'mirror',
              cluster: clusterId,
              resource: forecast.resource,
              serverId: server.id,
              generationMs: forecast.issuedMs,
            }),
            sinceMs: forecast.issuedMs,
            reservedBytes: type.sizeBytes,
            predictedDemand: decision.demand,
            resourceType: type.name,
            lowWindows: 0,
          };
          await store.reserve(record, server.capacityBytes);
        }
        latencies[i] = performance.now() - t0;
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
    report('redis: candidates + decision + Lua reserve, 64 in flight', latencies, performance.now() - start);
    // The same path one at a time: latency without queueing behind other reservations.
    const sequential = all.slice(0, 5_000).map((f) => ({ ...f, resource: `seq-${f.resource}` }));
    const one = new Float64Array(sequential.length);
    const seqStart = performance.now();
    for (const [i, forecast] of sequential.entries()) {
      const t0 = performance.now();
      const candidates = await store.candidates(cluster);
      const best = candidates[0];
      if (best !== undefined) {
        await store.reserve(
          {
            resource: forecast.resource,
            cluster: clusterId,
            serverId: best.server.id,
            serverHost: best.server.host,
            state: 'pending',
            commandId: `seq-${i}`,
            sinceMs: forecast.issuedMs,
            reservedBytes: type.sizeBytes,
            predictedDemand: 50,
            resourceType: type.name,
            lowWindows: 0,
          },
          best.server.capacityBytes,
        );
      }
      one[i] = performance.now() - t0;
    }
    report('redis: candidates + Lua reserve, one at a time', one, performance.now() - seqStart);
  } finally {
    await redis.del(REDIS_KEYS.capacity(clusterId), REDIS_KEYS.mirrors(clusterId));
    await redis.quit();
  }
}

const all = forecasts();
process.stdout.write(`decision bench: ${RESOURCES.toLocaleString('en')} active resources, 4 servers\n`);
benchPure(all);
if (process.argv.includes('--redis')) await benchRedis(all);
