import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig, type PdmeConfig } from '@pdme/common/config';
import { REDIS_KEYS } from '@pdme/common/keys';
import { createLogger } from '@pdme/common/logging';
import {
  DemandForecast,
  MirrorAction,
  MirrorOutcome,
  MirrorResult,
  type MirrorCommand,
} from '@pdme/common/proto';
import type { MessageOf } from '@pdme/common/messages';
import type { TopicName } from '@pdme/common/topics';
import { requireStack } from '../../../test/support/localStack.js';
import { DecisionService } from '../src/decisionService.js';
import { MirrorStore } from '../src/mirrorStore.js';

// The decision service on real Redis (db 15, a cluster of its own) with the live config read
// through a getter. Commands are collected instead of published, so the running dns-updater
// never sees these made-up resources.
const stack = requireStack();
const clusterId = `x-${randomBytes(4).toString('hex')}`;
const stackConfig = loadConfigFile(stack.configFile);
const video = need(
  stackConfig.resourceTypes.find((t) => t.patterns.some((p) => p.startsWith('video'))),
  'a video resource type',
);
const template = need(stackConfig.clusters[0], 'a cluster');

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the stack config has no ${what}`);
  return value;
}
const name = (n: string) => `video-${n}-${randomBytes(3).toString('hex')}.${stack.bind.zone}`;

function configWith(decision: Partial<PdmeConfig['decision']>): PdmeConfig {
  return parseConfig({
    ...stackConfig,
    clusters: [
      {
        ...template,
        id: clusterId,
        // Room for exactly two video resources.
        servers: [{ ...template.servers[0], id: `${clusterId}-a`, capacityBytes: 2 * video.sizeBytes }],
      },
    ],
    decision: { ...stackConfig.decision, hysteresisWindows: 2, minLifetimeMs: 0, ...decision },
  });
}

describe('DecisionService with the live config', () => {
  const redis = new Redis(stack.redisUrl, { db: 15, lazyConnect: true });
  const store = new MirrorStore(redis);
  const commands: MirrorCommand[] = [];
  let config = configWith({ policy: 'greedy' });
  let late = 0;
  const service = new DecisionService({
    config: () => config,
    store,
    publisher: {
      publish: async <T extends TopicName>(_topic: T, messages: readonly { value: MessageOf<T> }[]) => {
        for (const m of messages) commands.push(m.value as MirrorCommand);
      },
    },
    logger: createLogger('decision-test', { level: 'silent' }),
    now: Date.now,
    benefit: { originLatencyMs: 100, transferCostPerMiB: 1 },
    onLateCommand: () => (late += 1),
  });
  /** `hits` over the horizon, in one step starting `startInMs` from now. */
  const forecast = (resource: string, hits: number, startInMs = 600_000) =>
    DemandForecast.fromPartial({
      resource,
      cluster: clusterId,
      issuedMs: Date.now(),
      windowMs: 5_000,
      steps: [{ tsMs: Date.now() + startInMs, mean: hits, p50: hits, p90: hits }],
    });
  const apply = (command: MirrorCommand | undefined) =>
    service.onResult(
      MirrorResult.fromPartial({
        commandId: command?.commandId,
        outcome: MirrorOutcome.MIRROR_OUTCOME_APPLIED,
        resource: command?.resource,
        cluster: clusterId,
        serverId: command?.serverId,
        action: command?.action,
      }),
    );

  beforeAll(async () => {
    await redis.connect();
  });

  afterAll(async () => {
    await redis.del(REDIS_KEYS.capacity(clusterId), REDIS_KEYS.mirrors(clusterId));
    await redis.quit();
  });

  it('switches from greedy to benefit without a restart', async () => {
    const modest = name('modest');
    // Below the seed threshold: greedy leaves it at the origin.
    expect((await service.onForecast(forecast(modest, video.threshold / 2)))?.kind).toBe('none');
    config = configWith({ policy: 'benefit' });
    // Benefit: 5 hits × ~95 ms saved far outweigh moving 4 MiB at 1 per MiB.
    expect((await service.onForecast(forecast(modest, video.threshold / 2)))?.kind).toBe('mirror');
    await apply(commands.at(-1));
    expect((await store.get(clusterId, modest))?.state).toBe('applied');
  });

  it('displaces the worst resident after the hysteresis when a better resource does not fit', async () => {
    const strong = name('strong');
    expect((await service.onForecast(forecast(strong, 50)))?.kind).toBe('mirror');
    await apply(commands.at(-1));
    const modest = (await store.mirrorsIn(clusterId)).find((m) => m.resource.startsWith('video-modest-'));
    const star = name('star');
    const before = commands.length;
    expect((await service.onForecast(forecast(star, 500)))?.kind).toBe('contend');
    expect(commands).toHaveLength(before);
    expect((await service.onForecast(forecast(star, 500)))?.kind).toBe('displace');
    expect(commands.slice(before).map((c) => [c.action, c.resource])).toEqual([
      [MirrorAction.MIRROR_ACTION_UNMIRROR, modest?.resource],
    ]);
    await apply(commands.at(-1));
    // The room is free again: the next forecast of the newcomer takes it.
    expect((await service.onForecast(forecast(star, 500)))?.kind).toBe('mirror');
    const residents = (await store.mirrorsIn(clusterId)).map((m) => m.resource).sort();
    expect(residents).toEqual([star, strong].sort());
    expect(late).toBe(0);
  });

  it('counts a mirror commanded after its live-by time as late', async () => {
    const counted = Number((await redis.hget(REDIS_KEYS.counters, 'lateCommands')) ?? 0);
    config = configWith({ policy: 'greedy' });
    await redis.del(REDIS_KEYS.capacity(clusterId), REDIS_KEYS.mirrors(clusterId));
    // Demand starts now: warm time and DNS TTL can no longer be met.
    expect((await service.onForecast(forecast(name('late'), 50, 0)))?.kind).toBe('mirror');
    expect(late).toBe(1);
    expect(Number(await redis.hget(REDIS_KEYS.counters, 'lateCommands'))).toBe(counted + 1);
    expect(commands.at(-1)?.issuedMs).toBeGreaterThan(commands.at(-1)?.liveByMs ?? Infinity);
  });
});
