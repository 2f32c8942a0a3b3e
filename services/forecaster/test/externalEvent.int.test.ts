import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsQuery } from '@pdme/cli/dns';
import { PdmeConfigSchema } from '@pdme/common/config';
import { Publisher } from '@pdme/common/kafka';
import { REDIS_KEYS } from '@pdme/common/keys';
import type { CachedForecast } from '@pdme/common/mirror-state';
import { ExternalEvent } from '@pdme/common/proto';
import { TOPICS } from '@pdme/common/topics';
import { requireStack } from '../../../test/support/localStack.js';

const stack = requireStack();
const config = PdmeConfigSchema.parse(JSON.parse(readFileSync(stack.configFile, 'utf8')));
const videoThreshold = config.resourceTypes.find((t) => t.name === 'video')?.threshold ?? 10;
// Cluster c1's clients (127.0.1.0/24); a name nobody asked for before.
const cluster = 'c1';
const clientSource = (n: number) => `127.0.1.${n}`;
const resource = `video-ev-${randomBytes(4).toString('hex')}.${stack.bind.zone}`;
const LEAD_MS = 10 * 60_000;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

const ask = (source: string) =>
  dnsQuery({ server: stack.bind.server, port: stack.bind.port, name: resource, type: 'A', source });

describe('an external event announced ten minutes ahead', () => {
  const kafka = new Kafka({
    clientId: 'forecaster-event-test',
    brokers: [stack.kafka.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const publisher = new Publisher(kafka, { compression: 'none' });
  let redis: Redis;
  let queriesSent = 0;
  let startMs = 0;
  let publishedAt = 0;
  let forecast: CachedForecast | undefined;
  let queriesBeforeForecast = -1;

  beforeAll(async () => {
    redis = new Redis(stack.redisUrl);
    await publisher.connect();
    publishedAt = Date.now();
    startMs = publishedAt + LEAD_MS;
    await publisher.publish(TOPICS.externalEvents, [
      {
        key: resource,
        value: ExternalEvent.fromPartial({
          eventId: `ev-${randomBytes(6).toString('hex')}`,
          source: 'forecaster-int-test',
          resources: [resource],
          clusters: [cluster],
          intensity: 4 * videoThreshold,
          startMs,
          endMs: startMs + 60_000,
        }),
      },
    ]);
    forecast = await until(
      `the forecast for ${resource}`,
      async () => {
        const raw = await redis.get(REDIS_KEYS.forecast(cluster, resource));
        return raw === null ? undefined : (JSON.parse(raw) as CachedForecast);
      },
      30_000,
    );
    queriesBeforeForecast = queriesSent;
  });

  afterAll(async () => {
    await publisher.disconnect();
    await redis.quit();
  });

  it('raises the forecast of a never-seen resource above the threshold before any query', () => {
    expect(queriesBeforeForecast).toBe(0);
    if (forecast === undefined) throw new Error('no forecast');
    expect(forecast.flashCrowd).toBe(true);
    const peak = Math.max(...forecast.steps.map((s) => s.mean));
    expect(peak).toBeGreaterThan(videoThreshold);
    const first = forecast.steps.find((s) => s.mean > videoThreshold);
    expect(first?.tsMs).toBeGreaterThanOrEqual(startMs - forecast.windowMs);
    process.stdout.write(
      `external event: forecast issued ${startMs - forecast.issuedMs} ms before the event start ` +
        `(${forecast.issuedMs - publishedAt} ms after the announcement), peak ${peak}\n`,
    );
  });

  it('makes the decision service mirror it, visible in BIND before the crowd queries', async () => {
    // One probe every 2 s: these few queries are not the crowd, which starts only after the CNAME.
    const cname = await until(
      'the mirror CNAME in BIND',
      async () => {
        queriesSent++;
        const response = await ask(clientSource(1));
        return response.answers.find((a) => a.type === 'CNAME');
      },
      90_000,
      2_000,
    );
    const cnameSeenAt = Date.now();
    const probes = queriesSent - queriesBeforeForecast;
    const firstCrowdQueryAt = Date.now();
    const answers = [];
    for (let i = 0; i < 20; i++) {
      queriesSent++;
      answers.push(await ask(clientSource(10 + i)));
    }
    expect(answers.every((a) => a.answers.some((r) => r.type === 'CNAME' && r.data === cname.data))).toBe(
      true,
    );
    process.stdout.write(
      `external event: CNAME ${cname.data} seen by probe ${probes}, ${cnameSeenAt - publishedAt} ms after the ` +
        `announcement, ${startMs - cnameSeenAt} ms before the event start, ` +
        `${firstCrowdQueryAt - cnameSeenAt} ms before the crowd's first query; all 20 crowd answers are the mirror\n`,
    );
  });
});
