import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@pdme/common/logging';
import { encodeMessage } from '@pdme/common/messages';
import { QueryEvent } from '@pdme/common/proto';
import { TOPICS } from '@pdme/common/topics';
import { requireStack } from '../../../test/support/localStack.js';
import type { ClosedWindow } from '../src/windowCounter.js';
import { WindowPipeline } from '../src/windowPipeline.js';
import { WindowStateStore } from '../src/windowStateStore.js';

// Its own topic, group and Redis db + prefix: the live forecaster and its keys are never touched.
const stack = requireStack();
const tag = randomBytes(4).toString('hex');
const topic = `pdme-test.window-restart-${tag}`;
const groupId = `forecaster-restart-test-${tag}`;
const keyPrefix = `test-${tag}:`;
const W = 10_000;
const T0 = Math.floor(Date.now() / W) * W - 100 * W; // any time: the watermark is ours to move
const resources = [0, 1, 2, 3, 4].map((i) => `r${i}-${tag}.cdn.pdme.test`);

interface Sent {
  readonly eventId: string;
  readonly tsMs: number;
  readonly resource: string;
}

/** 40..84 events per (resource, window) over three windows, ids unique. */
function makeEvents(): Sent[] {
  const events: Sent[] = [];
  for (let w = 0; w < 3; w++) {
    resources.forEach((resource, r) => {
      const n = 40 + ((r * 7 + w * 11) % 45);
      for (let i = 0; i < n; i++) {
        events.push({ eventId: `${tag}-${w}-${r}-${i}`, tsMs: T0 + w * W + ((i * 97) % W), resource });
      }
    });
  }
  return events;
}

describe('window counts across a forecaster crash', () => {
  const kafka = new Kafka({
    clientId: `restart-test-${tag}`,
    brokers: [stack.kafka.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const logger = createLogger('forecaster-test', { level: 'warn' });
  const redis = new Redis(stack.redisUrl, { db: 15 });
  const store = new WindowStateStore(redis, keyPrefix);
  let producer: Producer;
  let watermark = T0;
  const collected: ClosedWindow[] = [];

  const pipeline = () =>
    new WindowPipeline({
      kafka,
      groupId,
      topic,
      store,
      logger,
      windowMs: W,
      allowedLatenessMs: 0,
      persistEveryMs: 3_600_000, // only closes persist here, so the crash loses unpersisted work
      watermark: () => watermark,
      onOutcome: (o) => outcomes.set(o, (outcomes.get(o) ?? 0) + 1),
    });
  const outcomes = new Map<string, number>();

  async function send(events: readonly Sent[]): Promise<void> {
    await producer.send({
      topic,
      messages: events.map((e) => ({
        key: e.resource,
        value: encodeMessage(
          TOPICS.dnsQueries,
          QueryEvent.fromPartial({ eventId: e.eventId, tsMs: e.tsMs, resource: e.resource, cluster: 'c1' }),
        ),
      })),
    });
  }

  async function consumedAll(instance: WindowPipeline): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const at = instance.positions();
      if (ends.every((p) => Number(p.high) === 0 || (at.get(p.partition) ?? -1) >= Number(p.high))) return;
      if (Date.now() > deadline) throw new Error(`consumer did not catch up: ${JSON.stringify([...at])}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const collect = async (windows: ClosedWindow[]) => {
    collected.push(...windows.filter((w) => w.count > 0 || resources.includes(w.resource)));
  };

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('counts every event exactly once despite a crash mid-stream and replays', async () => {
    const events = makeEvents();
    const w0 = events.filter((e) => e.tsMs < T0 + W);
    const w1 = events.filter((e) => e.tsMs >= T0 + W && e.tsMs < T0 + 2 * W);
    const w2 = events.filter((e) => e.tsMs >= T0 + 2 * W);
    const third = Math.floor(w1.length / 3);

    const first = pipeline();
    await first.start();
    await send([...w0, ...w1.slice(0, third)]);
    await consumedAll(first);
    watermark = T0 + W; // closes window 0 and persists state (with a third of window 1) and offsets
    await first.closeDue(collect);
    await send(w1.slice(third, 2 * third)); // consumed but never persisted: the crash loses it
    await consumedAll(first);
    await first.abandon();

    const second = pipeline();
    await second.start();
    // The rest, plus replays of events already counted: closed window 0, persisted and lost parts of 1.
    await send([...w1.slice(2 * third), ...w2, ...w0.slice(0, 50), ...w1.slice(0, 2 * third)]);
    await consumedAll(second);
    watermark = T0 + 3 * W;
    await second.closeDue(collect);
    await second.stop();

    const expected = new Map<string, number>();
    for (const e of events) {
      const key = `${e.resource} ${Math.floor((e.tsMs - T0) / W)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const got = new Map<string, number>();
    for (const w of collected) {
      const key = `${w.resource} ${(w.windowStartMs - T0) / W}`;
      expect(got.has(key), `window ${key} closed twice`).toBe(false);
      got.set(key, w.count);
    }
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
    expect(events.length).toBeGreaterThan(600);
    expect(outcomes.get('undecodable')).toBeUndefined();
    // Replays of the closed window 0 arrive late; those of window 1 are duplicates or skipped by offset.
    expect(outcomes.get('late')).toBe(50);
  });
});
