import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsQuery } from '@pdme/cli/dns';
import { CONFIG_AUDIT_STREAM, readVersionedConfig } from '@pdme/common/config';
import { SEALED_HEADER, SEALED_TOPICS, openRedisValue } from '@pdme/common/crypto';
import { REDIS_KEYS } from '@pdme/common/keys';
import { decodeMessage } from '@pdme/common/messages';
import { TOPICS, dlqTopic } from '@pdme/common/topics';
import { requireStack } from '../support/localStack.js';
import { stackCipher, stackKeyringFile, stackOpener } from '../support/sealedTopics.js';
import { highWater, readRange, type Offsets } from './kafkaRange.js';

/**
 * What PDME leaves at rest after a run, read with raw clients: Kafka payloads carrying client
 * traits and the Redis config and audit are sealed; no secret appears in Kafka, Redis or the logs;
 * with the keyring the same data reads back.
 */
const stack = requireStack();
const secretsDir = join(dirname(stack.configFile), 'secrets');
const kafka = new Kafka({
  clientId: 'security-at-rest',
  brokers: [stack.kafka.bootstrap],
  logLevel: logLevel.NOTHING,
});
const resource = `video-atrest-${randomBytes(4).toString('hex')}.${stack.bind.zone}`;
const QUERIES = 60;
const allTopics = Object.values(TOPICS).flatMap((t) => [t, dlqTopic(t)]);
const before = new Map<string, Offsets>();
let redis: Redis;

/** Every secret of the stack as text: API keys, anonymization key, TSIG and envelope key material. */
function secrets(): string[] {
  const found: string[] = [];
  for (const name of readdirSync(secretsDir)) {
    const text = readFileSync(join(secretsDir, name), 'utf8');
    if (name.endsWith('.json')) {
      const doc = JSON.parse(text) as { keys: Record<string, string> };
      found.push(...Object.values(doc.keys));
    } else found.push(text.trim());
  }
  for (const key of stack.bind.keys) {
    const match = /secret\s+"([^"]+)"/.exec(readFileSync(key.file, 'utf8'));
    if (match?.[1] !== undefined) found.push(match[1]);
  }
  return found.filter((s) => s.length >= 16);
}

/** Every pdme:* Redis value as text (strings, hash fields and values, stream fields, members). */
async function redisDump(): Promise<Map<string, string>> {
  const dump = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'pdme:*', 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let text = '';
      if (type === 'string') text = (await redis.get(key)) ?? '';
      else if (type === 'hash') text = JSON.stringify(await redis.hgetall(key));
      else if (type === 'stream') text = JSON.stringify(await redis.xrange(key, '-', '+'));
      else if (type === 'set') text = JSON.stringify(await redis.smembers(key));
      else if (type === 'zset') text = JSON.stringify(await redis.zrange(key, '0', '-1'));
      else if (type === 'list') text = JSON.stringify(await redis.lrange(key, 0, -1));
      dump.set(key, text);
    }
  } while (cursor !== '0');
  return dump;
}

describe('data at rest after a run', () => {
  beforeAll(async () => {
    redis = new Redis(stack.redisUrl);
    for (const topic of allTopics) before.set(topic, await highWater(kafka, topic));
    // A crowd from several client groups (/24s) of cluster c1's client space.
    for (let i = 0; i < QUERIES; i++) {
      await dnsQuery({
        server: stack.bind.server,
        port: stack.bind.port,
        name: resource,
        type: 'A',
        source: `127.1.${i % 6}.${20 + i}`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // ingest batches and acknowledges
  });

  afterAll(() => {
    redis.disconnect();
  });

  it('seals every query event of the run; with the keyring they read back, each with its client group', async () => {
    const open = stackOpener();
    const messages = await readRange(
      kafka,
      TOPICS.dnsQueries,
      before.get(TOPICS.dnsQueries) ?? new Map<number, number>(),
      await highWater(kafka, TOPICS.dnsQueries),
    );
    const raw = messages.map((m) => m.value ?? Buffer.alloc(0));
    expect(
      raw.filter((v) => v.includes(resource)),
      'resource name readable without the key',
    ).toHaveLength(0);
    const mine = messages
      .map((m) => decodeMessage(TOPICS.dnsQueries, open(TOPICS.dnsQueries, m)))
      .filter((e) => e.resource === resource);
    expect(mine).toHaveLength(QUERIES);
    const groups = new Set(mine.map((e) => e.client?.clientHash ?? ''));
    expect(groups.size).toBe(6);
    for (const message of messages) expect(message.headers?.[SEALED_HEADER]).toBeDefined();
    // No client group hash in the clear anywhere: any topic, any Redis value.
    for (const topic of allTopics) {
      const values = await readRange(
        kafka,
        topic,
        before.get(topic) ?? new Map<number, number>(),
        await highWater(kafka, topic),
      );
      for (const value of values.map((m) => (m.value ?? Buffer.alloc(0)).toString('latin1'))) {
        for (const group of groups) expect(value.includes(group), `client group in ${topic}`).toBe(false);
      }
      if (SEALED_TOPICS.has(topic.replace(/\.dlq$/, '')) && topic.endsWith('.dlq')) {
        for (const m of values)
          expect(m.headers?.[SEALED_HEADER], `${topic} dead letter sealed`).toBeDefined();
      }
    }
    const dump = await redisDump();
    for (const [key, text] of dump)
      for (const group of groups) expect(text.includes(group), `client group in ${key}`).toBe(false);
  });

  it('seals the live config and its audit trail in Redis; the keyring opens them', async () => {
    const cipher = stackCipher();
    expect(cipher, `keyring ${stackKeyringFile()}`).toBeDefined();
    const stored = (await redis.get(REDIS_KEYS.config)) ?? '';
    expect(stored).toContain('"sealed":"pdme-enc1:');
    for (const cluster of stack.topology) expect(stored.includes(cluster.subnet)).toBe(false);
    const config = await readVersionedConfig(redis, cipher);
    expect(config?.config.clusters.map((c) => c.id)).toEqual(stack.topology.map((c) => c.id));

    const entries = await redis.xrange(CONFIG_AUDIT_STREAM, '-', '+');
    for (const [, flat] of entries) {
      expect(flat).not.toContain('who');
      expect(flat).not.toContain('diff');
      const sealed = flat[flat.indexOf('sealed') + 1] ?? '';
      if (cipher === undefined) continue;
      const body = JSON.parse(openRedisValue(cipher, CONFIG_AUDIT_STREAM, sealed)) as { who: string };
      expect(body.who.length).toBeGreaterThan(0);
    }
  });

  it('writes no secret to Kafka, Redis or the logs', async () => {
    const all = secrets();
    expect(all.length).toBeGreaterThanOrEqual(5);
    const dump = await redisDump();
    for (const [key, text] of dump)
      for (const secret of all) expect(text.includes(secret), `secret in ${key}`).toBe(false);
    for (const topic of allTopics) {
      const values = await readRange(
        kafka,
        topic,
        before.get(topic) ?? new Map<number, number>(),
        await highWater(kafka, topic),
      );
      for (const m of values) {
        const text = (m.value ?? Buffer.alloc(0)).toString('latin1');
        for (const secret of all) expect(text.includes(secret), `secret in ${topic}`).toBe(false);
      }
    }
    const logs = join(dirname(stack.configFile), 'logs');
    for (const name of readdirSync(logs)) {
      const text = readFileSync(join(logs, name), 'utf8');
      for (const secret of all) expect(text.includes(secret), `secret in logs/${name}`).toBe(false);
    }
  });
});
