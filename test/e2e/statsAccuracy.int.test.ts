import { randomBytes } from 'node:crypto';
import { ApiKeyStore } from '@pdme/common/auth';
import { dnsQuery } from '@pdme/cli/dns';
import { PdmeStatsClient } from '@pdme/gateway';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireStack } from '../support/localStack.js';

const stack = requireStack();
// Cluster c1's clients; a name nobody asked for before.
const resource = `web-acc-${randomBytes(4).toString('hex')}.${stack.bind.zone}`;

interface Ratios {
  mase: number | null;
  wape: number | null;
  coverage90: number | null;
  points: number;
}
interface StatsAnswer {
  accuracy: {
    overall: Ratios;
    byModel: (Ratios & { model: string })[];
    series: (Ratios & { resource: string; cluster: string; model: string; volume: number })[];
    instances: number;
    reportedMs: number | null;
  };
  performance: {
    latencies: {
      service: string;
      name: string;
      p50Ms: number | null;
      p99Ms: number | null;
      count: number;
    }[];
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('prediction accuracy and latencies in /pdme/stats follow the live data', () => {
  let redis: Redis;
  let readKey = '';
  let keyId = '';
  let sending = true;
  let sent = 0;
  let traffic: Promise<void> = Promise.resolve();

  const stats = async (): Promise<StatsAnswer> => {
    const res = await fetch(`${stack.gateway.http}/pdme/stats?resource=${resource}`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as StatsAnswer;
  };
  const ours = (answer: StatsAnswer) => answer.accuracy.series.find((s) => s.resource === resource);

  beforeAll(async () => {
    redis = new Redis(stack.redisUrl);
    const created = await new ApiKeyStore(redis).create('pdme:read', 'e2e-stats-accuracy');
    readKey = created.key;
    keyId = created.info.id;
    // Real DNS queries through BIND and ingest, a changing number per second, so that every
    // window the forecaster closes for the series differs from the one it forecast.
    traffic = (async () => {
      for (let second = 0; sending; second++) {
        const burst = 6 + ((second * 7) % 11);
        for (let i = 0; i < burst && sending; i++) {
          sent++;
          await dnsQuery({
            server: stack.bind.server,
            port: stack.bind.port,
            name: resource,
            type: 'A',
            source: `127.0.1.${20 + (i % 50)}`,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    })();
  });

  afterAll(async () => {
    sending = false;
    await traffic;
    await new ApiKeyStore(redis).revoke(keyId);
    await redis.quit();
  });

  it('shows the series, per-model and overall accuracy growing as windows close', async () => {
    const first = await until(
      `accuracy for ${resource}`,
      async () => {
        const answer = await stats();
        const series = ours(answer);
        return series !== undefined && series.points >= 2 ? { answer, series } : undefined;
      },
      90_000,
    );
    expect(first.series.cluster).toBe('c1');
    expect(first.series.volume).toBeGreaterThan(0);
    expect(first.series.wape).toEqual(expect.any(Number));
    expect(first.answer.accuracy.instances).toBeGreaterThanOrEqual(1);
    expect(first.answer.accuracy.byModel.length).toBeGreaterThan(0);

    const later = await until(
      'more scored windows',
      async () => {
        const answer = await stats();
        const series = ours(answer);
        return series !== undefined && series.points > first.series.points ? { answer, series } : undefined;
      },
      60_000,
    );
    expect(later.series.volume).toBeGreaterThan(first.series.volume);
    expect(later.answer.accuracy.overall.points).toBeGreaterThan(first.answer.accuracy.overall.points);
    expect(later.answer.accuracy.reportedMs).toBeGreaterThan(first.answer.accuracy.reportedMs ?? 0);
    const scored = (a: StatsAnswer) => a.accuracy.byModel.reduce((n, m) => n + m.points, 0);
    expect(scored(later.answer)).toBe(later.answer.accuracy.overall.points);
    // The same over gRPC StatsService.
    const client = new PdmeStatsClient({ address: stack.gateway.grpc, token: readKey });
    try {
      const grpc = await client.getStats({ resource });
      const overGrpc = grpc.predictionAccuracy?.series.find((s) => s.resource === resource);
      expect(overGrpc?.points).toBeGreaterThanOrEqual(later.series.points);
      expect(grpc.predictionAccuracy?.overall?.model).toBe('all');
    } finally {
      client.close();
    }
    process.stdout.write(
      `stats accuracy: ${resource} after ${sent} queries: ${later.series.points} windows scored, ` +
        `MASE ${later.series.mase?.toFixed(3) ?? '-'}, WAPE ${later.series.wape?.toFixed(3) ?? '-'}, ` +
        `p90 coverage ${later.series.coverage90?.toFixed(2) ?? '-'} (model ${later.series.model}); ` +
        `overall ${later.answer.accuracy.overall.points} windows, MASE ${later.answer.accuracy.overall.mase?.toFixed(3) ?? '-'}\n`,
    );
  });

  it("shows the forecaster's and decision's latencies from their histograms", async () => {
    const latency = await until(
      'a forecaster latency summary with observations',
      async () =>
        (await stats()).performance.latencies.find(
          (l) => l.service === 'forecaster' && l.name === 'window-update' && l.count > 0,
        ),
      30_000,
    );
    expect(latency.p50Ms).toEqual(expect.any(Number));
    expect(latency.p99Ms ?? 0).toBeGreaterThanOrEqual(latency.p50Ms ?? 0);
    // The forecasts of this test's series reach the decision service, which times each decision.
    const decide = await until(
      'a decision latency summary with observations',
      async () =>
        (await stats()).performance.latencies.find(
          (l) => l.service === 'decision' && l.name === 'decide' && l.count > 0,
        ),
      30_000,
    );
    expect(decide.p50Ms).toEqual(expect.any(Number));
    const all = (await stats()).performance.latencies;
    process.stdout.write(
      `stats latency: ${all.map((l) => `${l.service} ${l.name} p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms (${l.count})`).join('; ')}\n`,
    );
  });
});
