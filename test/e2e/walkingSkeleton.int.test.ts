import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientGroupPrefix, clusterClient, dnsQuery } from '@pdme/cli/dns';
import { readBootstrapKey } from '@pdme/common/auth';
import { REDIS_KEYS } from '@pdme/common/keys';
import { decodeMessage } from '@pdme/common/messages';
import { MirrorAction, StatsServiceClient, type GetStatsResponse } from '@pdme/common/proto';
import { TOPICS, type TopicName } from '@pdme/common/topics';
import { requireStack } from '../support/localStack.js';
import { stackOpener } from '../support/sealedTopics.js';

const stack = requireStack();
/** Query events are sealed at rest: read them back with the stack's keyring. */
const openStored = stackOpener();
const cluster = stack.topology.find((c) => c.id === 'c2') ?? stack.topology[0];
if (cluster === undefined) throw new Error('the stack has no cluster');
const otherCluster = stack.topology.find((c) => c.id !== cluster.id);
/** The read key `stack up` wrote; the gateway answers stats only with credentials. */
const readKey = readBootstrapKey(join(dirname(stack.configFile), 'secrets'), 'pdme:read') ?? '';
// A name nobody asked for before, so earlier runs cannot make this one pass.
const resource = `video-e2e-${randomBytes(4).toString('hex')}.${stack.bind.zone}`;
/** Cluster of each client address used: crowds come from several /24s (client groups) per cluster. */
const clusterOfSource = new Map<string, string>();
function clientOf(c: (typeof stack.topology)[number], n: number): string {
  const source = clusterClient(c, n);
  clusterOfSource.set(source, c.id);
  return source;
}

/** Queries sent per cluster: each must come out of ingest as exactly one event. */
const sent = new Map<string, number>();
function countSent(source: string): void {
  const id = clusterOfSource.get(source) ?? 'unknown';
  sent.set(id, (sent.get(id) ?? 0) + 1);
}

function bearer(key: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  return metadata;
}

function ask(source: string) {
  countSent(source);
  return dnsQuery({ server: stack.bind.server, port: stack.bind.port, name: resource, type: 'A', source });
}

function dig(source: string): string {
  countSent(source);
  const out = spawnSync(
    'dig',
    [`@${stack.bind.server}`, '-p', String(stack.bind.port), '-b', source, resource, '+noall', '+answer'],
    {
      encoding: 'utf8',
    },
  );
  if (out.error) throw out.error;
  return out.stdout;
}

function cacheStatus(address: string, port: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path: '/', headers: { host: resource } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['x-cache-status']?.toString()));
    });
    req.on('error', reject);
    req.end();
  });
}

const kafka = new Kafka({
  clientId: 'e2e-reader',
  brokers: [stack.kafka.bootstrap],
  logLevel: logLevel.NOTHING,
});

type Offsets = Map<number, number>;

async function topicEnds(topic: TopicName): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * The messages of a topic between `from` (offsets taken before this test sent anything) and the
 * topic's current end: other tests (a million-line backfill) may have filled it before.
 */
async function readTopic<T extends TopicName>(topic: T, from: Offsets) {
  const ends = await topicEnds(topic);
  const remaining = new Set([...ends].filter(([p, high]) => high > (from.get(p) ?? 0)).map(([p]) => p));
  const consumer = kafka.consumer({ groupId: `e2e-${randomBytes(6).toString('hex')}` });
  const raw: Buffer[] = [];
  const values: ReturnType<typeof decodeMessage<T>>[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  const done = new Promise<void>((resolve) => {
    if (remaining.size === 0) resolve();
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (Number(message.offset) < (from.get(partition) ?? 0)) return;
        if (message.value !== null) {
          raw.push(message.value);
          values.push(decodeMessage(topic, openStored(topic, message)));
        }
        if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) remaining.delete(partition);
        if (remaining.size === 0) resolve();
      },
    });
    for (const [partition, offset] of from) consumer.seek({ topic, partition, offset: String(offset) });
  });
  await Promise.race([
    done,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`reading ${topic} timed out`)), 30_000)),
  ]);
  await consumer.disconnect();
  return { raw, values };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe(`walking skeleton: a crowd for one resource in cluster ${cluster.id}`, () => {
  let redis: Redis;
  let queriesFrom: Offsets = new Map();
  let commandsFrom: Offsets = new Map();
  let target = '';

  beforeAll(async () => {
    redis = new Redis(stack.redisUrl);
    queriesFrom = await topicEnds(TOPICS.dnsQueries);
    commandsFrom = await topicEnds(TOPICS.mirrorCommands);
    const before = await ask(clientOf(cluster, 1));
    expect(before.answers.map((a) => a.type)).toEqual(['A']);
    for (let i = 0; i < 80; i++) await ask(clientOf(cluster, 10 + (i % 50)));
    const answer = await until(
      'the mirror CNAME in BIND',
      async () => {
        const response = await ask(clientOf(cluster, 1));
        return response.answers.find((a) => a.type === 'CNAME');
      },
      90_000,
    );
    target = answer.data.replace(/\.$/, '');
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('points the name at one of the cluster’s caches, and dig agrees', () => {
    expect(cluster.servers.map((s) => s.host)).toContain(target);
    expect(dig(clientOf(cluster, 1))).toMatch(
      new RegExp(
        `${resource.replace(/\./g, '\\.')}\\.\\s+\\d+\\s+IN\\s+CNAME\\s+${target.replace(/\./g, '\\.')}\\.`,
      ),
    );
  });

  it('warmed the cache before DNS changed: the first client fetch is a HIT', async () => {
    const server = cluster.servers.find((s) => s.host === target);
    expect(server).toBeDefined();
    if (server === undefined) return;
    expect(await cacheStatus(server.address, server.port)).toBe('HIT');
  });

  it.skipIf(otherCluster === undefined)('leaves the other cluster’s view alone', async () => {
    if (otherCluster === undefined) return;
    const response = await ask(clientOf(otherCluster, 1));
    expect(response.answers.map((a) => a.type)).toEqual(['A']);
  });

  it('reserved the capacity in Redis and records the mirror as applied', async () => {
    const record = await until(
      'the applied mirror record',
      async () => {
        const raw = await redis.hget(REDIS_KEYS.mirrors(cluster.id), resource);
        const parsed =
          raw === null
            ? undefined
            : (JSON.parse(raw) as { state: string; serverHost: string; reservedBytes: number });
        return parsed?.state === 'applied' ? parsed : undefined;
      },
      20_000,
    );
    expect(record.serverHost).toBe(target);
    const used = await redis.hgetall(REDIS_KEYS.capacity(cluster.id));
    const total = Object.values(used).reduce((sum, v) => sum + Number(v), 0);
    expect(total).toBeGreaterThanOrEqual(record.reservedBytes);
  });

  it('serves the same mirror over HTTP /pdme/stats and gRPC StatsService', async () => {
    const http = (await (
      await fetch(`${stack.gateway.http}/pdme/stats?cluster=${cluster.id}&resource=${resource}`, {
        headers: { authorization: `Bearer ${readKey}` },
      })
    ).json()) as {
      mirrors: { resource: string; serverHost: string }[];
    };
    expect(http.mirrors.map((m) => [m.resource, m.serverHost])).toEqual([[resource, target]]);
    const client = new StatsServiceClient(stack.gateway.grpc, credentials.createInsecure());
    const grpc = await new Promise<GetStatsResponse>((resolve, reject) =>
      client.getStats({ cluster: cluster.id, resource }, bearer(readKey), (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
    client.close();
    expect(grpc.mirrors.map((m) => [m.resource, m.serverHost])).toEqual([[resource, target]]);
  });

  it('commanded the mirror exactly once, even when the crowd comes back', async () => {
    for (let i = 0; i < 40; i++) await ask(clientOf(cluster, 60 + (i % 30)));
    await new Promise((resolve) => setTimeout(resolve, 12_000)); // two more forecast windows
    const { values } = await readTopic(TOPICS.mirrorCommands, commandsFrom);
    const mine = values.filter(
      (c) => c.resource === resource && c.action === MirrorAction.MIRROR_ACTION_MIRROR,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]?.cluster).toBe(cluster.id);
  });

  it('published the queries to Kafka with the cluster, and no client address anywhere', async () => {
    const { raw, values } = await readTopic(TOPICS.dnsQueries, queriesFrom);
    const mine = values.filter((e) => e.resource === resource);
    for (const c of stack.topology) {
      const expected = sent.get(c.id) ?? 0;
      expect(
        mine.filter((e) => e.cluster === c.id),
        `events of cluster ${c.id}`,
      ).toHaveLength(expected);
    }
    expect(mine.length).toBeGreaterThanOrEqual(120);
    expect(mine.every((e) => /^[0-9a-f]{32}$/.test(e.client?.clientHash ?? ''))).toBe(true);
    const prefixes = new Set([...clusterOfSource.keys()].map(clientGroupPrefix));
    for (const prefix of prefixes)
      expect(raw.filter((payload) => payload.toString('latin1').includes(prefix))).toHaveLength(0);
  });
});
