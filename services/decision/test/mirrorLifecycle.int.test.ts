import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBootstrapKey } from '@pdme/common/auth';
import type { PdmeConfig } from '@pdme/common/config';
import { Publisher } from '@pdme/common/kafka';
import { REDIS_KEYS } from '@pdme/common/keys';
import { decodeMessage } from '@pdme/common/messages';
import { MirrorRecordSchema, type MirrorRecord } from '@pdme/common/mirror-state';
import { DemandForecast, MirrorAction, type MirrorCommand } from '@pdme/common/proto';
import { TOPICS } from '@pdme/common/topics';
import { requireStack } from '../../../test/support/localStack.js';

// The running decision service, fed forecasts by hand for a resource nobody else asks for:
// one mirror for a crossing, none for a repeat, one unmirror once demand has stayed low.
const stack = requireStack();
const CLUSTER = 'c1';
const resource = `video-dl-${randomBytes(4).toString('hex')}.${stack.bind.zone}`;
const readKey = readBootstrapKey(join(dirname(stack.configFile), 'secrets'), 'pdme:read') ?? '';
const kafka = new Kafka({
  clientId: 'decision-lifecycle-test',
  brokers: [stack.kafka.bootstrap],
  logLevel: logLevel.NOTHING,
});

type Offsets = Map<number, number>;

async function topicEnds(): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(TOPICS.mirrorCommands);
    return new Map(offsets.map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** This resource's mirror commands between `from` (taken before the test) and the topic's end now. */
async function commandsSince(from: Offsets): Promise<MirrorCommand[]> {
  const ends = await topicEnds();
  const remaining = new Set([...ends].filter(([p, high]) => high > (from.get(p) ?? 0)).map(([p]) => p));
  const consumer = kafka.consumer({ groupId: `decision-lifecycle-${randomBytes(6).toString('hex')}` });
  const found: MirrorCommand[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.mirrorCommands, fromBeginning: false });
  const done = new Promise<void>((resolve) => {
    if (remaining.size === 0) resolve();
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        if (offset < (from.get(partition) ?? 0) || offset >= (ends.get(partition) ?? 0)) return;
        if (message.value !== null) {
          const command = decodeMessage(TOPICS.mirrorCommands, message.value);
          if (command.resource === resource) found.push(command);
        }
        if (offset + 1 >= (ends.get(partition) ?? 0)) remaining.delete(partition);
        if (remaining.size === 0) resolve();
      },
    });
    for (const [partition, offset] of from) {
      consumer.seek({ topic: TOPICS.mirrorCommands, partition, offset: String(offset) });
    }
  });
  try {
    await Promise.race([
      done,
      new Promise((_, reject) => setTimeout(() => reject(new Error('reading commands timed out')), 30_000)),
    ]);
  } finally {
    await consumer.disconnect();
  }
  return found;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function liveConfig(): Promise<PdmeConfig> {
  const res = await fetch(`${stack.gateway.http}/pdme/config`, {
    headers: { authorization: `Bearer ${readKey}` },
  });
  if (!res.ok) throw new Error(`GET /pdme/config answered ${res.status}`);
  return (await res.json()) as PdmeConfig;
}

describe('decision service: mirror lifecycle of one resource', () => {
  const redis = new Redis(stack.redisUrl, { lazyConnect: true });
  const publisher = new Publisher(kafka);
  let from: Offsets = new Map();
  let config: PdmeConfig;
  let threshold = 0;
  let unmirrorThreshold = 0;
  /** The mirror's forecasts are dated older than the minimum lifetime, so only hysteresis holds it. */
  let generationMs = 0;

  const forecast = (issuedMs: number, mean: number) =>
    DemandForecast.fromPartial({
      resource,
      cluster: CLUSTER,
      issuedMs,
      windowMs: config.forecast.windowMs,
      model: 'test',
      observed: mean,
      steps: [1, 2, 3].map((k) => ({
        // Demand a few minutes out: the command's live-by is ahead of its issue time.
        tsMs: Date.now() + 120_000 + k * config.forecast.windowMs,
        mean,
        p50: mean,
        p90: mean,
      })),
    });
  const send = (f: DemandForecast) =>
    publisher.publish(TOPICS.demandForecasts, [{ key: resource, value: f }]);
  const record = async (): Promise<MirrorRecord | undefined> => {
    const raw = await redis.hget(REDIS_KEYS.mirrors(CLUSTER), resource);
    return raw === null ? undefined : MirrorRecordSchema.parse(JSON.parse(raw));
  };

  beforeAll(async () => {
    await redis.connect();
    await publisher.connect();
    config = await liveConfig();
    const type = config.resourceTypes.find((t) => t.patterns.some((p) => p.startsWith('video')));
    if (type === undefined) throw new Error('the stack config has no video resource type');
    threshold = type.threshold;
    unmirrorThreshold = type.unmirrorThreshold;
    generationMs = Date.now() - config.decision.minLifetimeMs - 60_000;
    from = await topicEnds();
  });

  afterAll(async () => {
    await publisher.disconnect();
    await redis.quit();
  });

  it('mirrors once when the forecast crosses the threshold, and reserves the capacity', async () => {
    await send(forecast(generationMs, threshold * 5));
    const applied = await until('the applied mirror record', async () => {
      const r = await record();
      return r?.state === 'applied' ? r : undefined;
    });
    expect(applied.sinceMs).toBe(generationMs);
    const used = Number(await redis.hget(REDIS_KEYS.capacity(CLUSTER), applied.serverId));
    expect(used).toBeGreaterThanOrEqual(applied.reservedBytes);
    expect(applied.reservedBytes).toBeGreaterThan(0);
    const commands = await commandsSince(from);
    expect(commands.map((c) => c.action)).toEqual([MirrorAction.MIRROR_ACTION_MIRROR]);
    expect(commands[0]?.cluster).toBe(CLUSTER);
    expect(commands[0]?.serverId).toBe(applied.serverId);
    expect(commands[0]?.liveByMs).toBeGreaterThan(commands[0]?.issuedMs ?? Infinity);
  });

  it('holds through low forecasts until the hysteresis is met, then unmirrors once', async () => {
    // A repeat of the crossing must not command again.
    await send(forecast(generationMs + 1_000, threshold * 5));
    const low = unmirrorThreshold / 4;
    const windows = config.decision.hysteresisWindows;
    for (let i = 1; i < windows; i++) await send(forecast(generationMs + 1_000 + i * 5_000, low));
    if (windows > 1) {
      // Forecasts of one key are handled in order: the record shows every low window counted.
      await until('the low windows counted', async () =>
        (await record())?.lowWindows === windows - 1 ? true : undefined,
      );
      expect((await commandsSince(from)).map((c) => c.action)).toEqual([MirrorAction.MIRROR_ACTION_MIRROR]);
    }
    await send(forecast(generationMs + 1_000 + windows * 5_000, low));
    const serverId = (await record())?.serverId;
    await until('the reservation released after the unmirror is applied', async () =>
      (await record()) === undefined ? true : undefined,
    );
    const commands = await commandsSince(from);
    expect(commands.map((c) => c.action)).toEqual([
      MirrorAction.MIRROR_ACTION_MIRROR,
      MirrorAction.MIRROR_ACTION_UNMIRROR,
    ]);
    expect(commands[1]?.serverId).toBe(serverId);
    expect(commands[1]?.commandId).not.toBe(commands[0]?.commandId);
  });
});
