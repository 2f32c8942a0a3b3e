import { randomBytes } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsQuery } from '@pdme/cli/dns';
import { runningPid } from '@pdme/cli/processes';
import {
  MAX_INSTANCES,
  serviceEnv,
  serviceInstance,
  stackPaths,
  startInstance,
  stopInstance,
  waitInstanceReady,
  type ServiceInstance,
  type ServiceName,
} from '@pdme/cli/stack';
import { decodeMessage } from '@pdme/common/messages';
import { MirrorAction } from '@pdme/common/proto';
import { GROUPS, TOPICS, type TopicName } from '@pdme/common/topics';
import { requireStack } from '../support/localStack.js';

/**
 * Horizontal scaling on the local stack: a second instance of forecaster, decision and dns-updater
 * runs beside the stack's own. Consumer groups split the partitions between them, and a crowd for
 * one resource is still forecast, decided and applied exactly once. Only the instances started here
 * are stopped again.
 */
const stack = requireStack();
const paths = stackPaths();
const SCALED: readonly ServiceName[] = ['forecaster', 'decision', 'dns-updater'];
const GROUP_IDS = [GROUPS.forecaster, GROUPS.decision, GROUPS.decisionResults, GROUPS.dnsUpdater];
const cluster = stack.topology.find((c) => c.id === 'c2') ?? stack.topology[0];
if (cluster === undefined) throw new Error('the stack has no cluster');
const subnetBase = cluster.subnet.split('/')[0]?.split('.').slice(0, 3).join('.') ?? '127.0.0';
const run = randomBytes(4).toString('hex');
const kafka = new Kafka({
  clientId: `scaling-${run}`,
  brokers: [stack.kafka.bootstrap],
  logLevel: logLevel.NOTHING,
});
const started: ServiceInstance[] = [];

async function portFree(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => false,
    () => true,
  );
}

/** The first instance number of a service that is neither running nor has its ops port taken. */
async function freeInstance(service: ServiceName): Promise<ServiceInstance> {
  for (let index = 2; index <= MAX_INSTANCES; index++) {
    const instance = serviceInstance(service, index);
    if (runningPid(paths, instance.name) === undefined && (await portFree(instance.opsPort))) return instance;
  }
  throw new Error(`no free instance slot for ${service}`);
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

type Assignments = Map<string, Map<string, number[]>>;

/** Each member's partitions of each topic, once the group is stable with every member assigned. */
async function stableAssignments(groupId: string): Promise<Assignments | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    if (group?.state !== 'Stable') return undefined;
    const members: Assignments = new Map();
    for (const member of group.members) {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      const topics = new Map(Object.entries(decoded?.assignment ?? {}));
      if ([...topics.values()].every((p) => p.length === 0)) return undefined; // mid-rebalance
      members.set(member.clientId, topics);
    }
    return members.size >= 2 ? members : undefined;
  } finally {
    await admin.disconnect();
  }
}

async function counterTotal(port: number, metric: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) && !line.includes('outcome="late"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Every message of a topic up to its current end, read by a fresh consumer group. */
async function readTopic<T extends TopicName>(topic: T): Promise<ReturnType<typeof decodeMessage<T>>[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const remaining = new Set([...ends].filter(([, high]) => high > 0).map(([partition]) => partition));
  const consumer = kafka.consumer({ groupId: `scaling-reader-${randomBytes(6).toString('hex')}` });
  const values: ReturnType<typeof decodeMessage<T>>[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), 30_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    if (remaining.size === 0) done();
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (message.value !== null) values.push(decodeMessage(topic, message.value));
        if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) remaining.delete(partition);
        if (remaining.size === 0) done();
      },
    });
  });
  await consumer.disconnect();
  return values;
}

function ask(name: string, host: number) {
  return dnsQuery({
    server: stack.bind.server,
    port: stack.bind.port,
    name,
    type: 'A',
    source: `${subnetBase}.${host}`,
  });
}

describe('two instances of forecaster, decision and dns-updater side by side', () => {
  beforeAll(async () => {
    const env = serviceEnv(stack, paths);
    for (const service of SCALED) {
      const instance = await freeInstance(service);
      await startInstance(paths, instance, env, () => undefined);
      started.push(instance);
    }
    await Promise.all(started.map((instance) => waitInstanceReady(instance)));
  });

  afterAll(async () => {
    await Promise.all(started.map((instance) => stopInstance(paths, instance)));
  });

  it.each(GROUP_IDS)(
    'consumer group %s: every member owns partitions, none owns one twice',
    async (groupId) => {
      const members = await until(
        `group ${groupId} stable with two members`,
        () => stableAssignments(groupId),
        90_000,
      );
      expect(members.size).toBeGreaterThanOrEqual(2);
      const owned = new Map<string, string>();
      for (const [member, topics] of members) {
        expect([...topics.values()].flat().length, member).toBeGreaterThan(0);
        for (const [topic, partitions] of topics) {
          for (const partition of partitions) {
            const key = `${topic}#${partition}`;
            expect(owned.get(key), `${key} owned by ${owned.get(key)} and ${member}`).toBeUndefined();
            owned.set(key, member);
          }
        }
      }
      // Every partition of the group's topic is owned by someone.
      const topic = [...members.values()][0]?.keys().next().value ?? '';
      const admin = kafka.admin();
      await admin.connect();
      const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => p.partition);
      await admin.disconnect();
      expect(partitions.every((p) => owned.has(`${topic}#${p}`))).toBe(true);
      // The instance started here is one of the members.
      const service = groupId === GROUPS.decisionResults ? 'decision' : (groupId as ServiceName);
      const mine = started.find((i) => i.service === service);
      expect([...members.keys()].some((clientId) => clientId === `${service}-${mine?.name}`)).toBe(true);
    },
  );

  it('splits the forecasting work: both forecaster instances count query events', async () => {
    const forecasters = [
      serviceInstance('forecaster', 1),
      ...started.filter((i) => i.service === 'forecaster'),
    ];
    const before = await Promise.all(
      forecasters.map((f) => counterTotal(f.opsPort, 'pdme_forecaster_events_total')),
    );
    // Many names, few queries each (no crowd): keyed by resource, they spread over all partitions.
    for (let r = 0; r < 48; r++) {
      for (let q = 0; q < 2; q++) await ask(`spread-${run}-${r}.${stack.bind.zone}`, 20 + q);
    }
    const deltas = await until(
      'events counted by both forecasters',
      async () => {
        const now = await Promise.all(
          forecasters.map((f) => counterTotal(f.opsPort, 'pdme_forecaster_events_total')),
        );
        const d = now.map((n, i) => n - (before[i] ?? 0));
        return d.every((x) => x > 0) ? d : undefined;
      },
      30_000,
    );
    expect(deltas.every((d) => d > 0)).toBe(true);
  });

  it('mirrors a crowd for one resource exactly once: one command, one applied result', async () => {
    const resource = `video-scale-${run}.${stack.bind.zone}`;
    for (let i = 0; i < 80; i++) await ask(resource, 10 + (i % 50));
    await until(
      'the mirror CNAME',
      async () => (await ask(resource, 1)).answers.find((a) => a.type === 'CNAME'),
      90_000,
    );
    // The crowd goes on for two more forecast windows: still one command, one result.
    for (let i = 0; i < 40; i++) await ask(resource, 60 + (i % 30));
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const commands = (await readTopic(TOPICS.mirrorCommands)).filter(
      (c) => c.resource === resource && c.action === MirrorAction.MIRROR_ACTION_MIRROR,
    );
    expect(commands).toHaveLength(1);
    expect(commands[0]?.cluster).toBe(cluster.id);
    const results = (await readTopic(TOPICS.mirrorResults)).filter((r) => r.resource === resource);
    expect(results.map((r) => r.commandId)).toEqual([commands[0]?.commandId]);
  });
});
