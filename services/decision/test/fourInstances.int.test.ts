import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '@pdme/common/config';
import { REDIS_KEYS } from '@pdme/common/keys';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import { requireStack } from '../../../test/support/localStack.js';
import { commandId } from '../src/commandId.js';
import { MirrorStore } from '../src/mirrorStore.js';
import { selectBestServer } from '../src/selectBestServer.js';

// Four decision instances share one Redis (db 15, a cluster id of our own) and race to place the
// same resources on the same two servers: the Lua reservation must never overfill a server nor
// place a resource twice.
const INSTANCES = 4;
const RESOURCES = 60;
const SIZE = 100;
const CAPACITY = 1_000; // room for 10 resources per server, 20 in all: most attempts must fail

const clusterId = `x-${randomBytes(4).toString('hex')}`;
const server = (id: string, latencyMs: number) => ({
  id: `${clusterId}-${id}`,
  host: `${id}.cache.pdme.test`,
  address: '127.0.0.1',
  port: 18080,
  capacityBytes: CAPACITY,
  latencyMs,
  region: id,
  cost: 1,
});
const cluster: ClusterConfig = {
  id: clusterId,
  region: 'test',
  subnets: [],
  dns: { server: '127.0.0.1', port: 15353, zone: 'cdn.pdme.test', keyName: 'k' },
  servers: [server('a', 5), server('b', 8)],
};
const weights = { latency: 1, capacity: 1, diversity: 0, cost: 0 };

let clients: Redis[] = [];

beforeAll(async () => {
  const { redisUrl } = requireStack();
  clients = Array.from({ length: INSTANCES }, () => new Redis(redisUrl, { db: 15, lazyConnect: true }));
  await Promise.all(clients.map((c) => c.connect()));
});

afterAll(async () => {
  const first = clients[0];
  if (first !== undefined) {
    await first.del(
      REDIS_KEYS.capacity(clusterId),
      REDIS_KEYS.mirrors(clusterId),
      REDIS_KEYS.servers(clusterId),
    );
  }
  await Promise.all(clients.map((c) => c.quit()));
});

/** One instance: for each resource (in its own order), reserve on the best server with room. */
async function runInstance(store: MirrorStore, order: readonly number[]): Promise<number> {
  let reserved = 0;
  for (const n of order) {
    const resource = `x-${clusterId}-${n}.cdn.pdme.test`;
    let tried = new Set<string>();
    for (;;) {
      const candidates = (await store.candidates(cluster)).filter((c) => !tried.has(c.server.id));
      const best = selectBestServer(candidates, SIZE, new Set(), weights);
      if (best === undefined) break;
      const sinceMs = Date.now();
      const record: MirrorRecord = {
        resource,
        cluster: clusterId,
        serverId: best.server.id,
        serverHost: best.server.host,
        state: 'pending',
        commandId: commandId({
          action: 'mirror',
          cluster: clusterId,
          resource,
          serverId: best.server.id,
          generationMs: sinceMs,
        }),
        sinceMs,
        reservedBytes: SIZE,
        predictedDemand: 10,
        resourceType: 'test',
        lowWindows: 0,
      };
      const outcome = await store.reserve(record, best.server.capacityBytes);
      if (outcome === 'reserved') reserved++;
      if (outcome !== 'full') break;
      tried = new Set([...tried, best.server.id]); // full since we looked: try the next server
    }
  }
  return reserved;
}

function shuffled(seed: number): number[] {
  const order = Array.from({ length: RESOURCES }, (_, i) => i);
  let state = seed;
  for (let i = order.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  return order;
}

describe('four decision instances racing for capacity', () => {
  it('never overfill a server and never place a resource twice', async () => {
    const stores = clients.map((c) => new MirrorStore(c));
    await stores[0]?.registerServers([cluster]);
    const reserved = await Promise.all(stores.map((store, i) => runInstance(store, shuffled(i + 1))));

    const redis = clients[0];
    if (redis === undefined) throw new Error('no redis client');
    const used = await redis.hgetall(REDIS_KEYS.capacity(clusterId));
    const mirrors = await redis.hgetall(REDIS_KEYS.mirrors(clusterId));
    const records = Object.values(mirrors).map((raw) => JSON.parse(raw) as MirrorRecord);

    // Exactly the room there was: 10 per server, 20 in all, and every reservation is one record.
    expect(reserved.reduce((a, b) => a + b, 0)).toBe((2 * CAPACITY) / SIZE);
    expect(records).toHaveLength((2 * CAPACITY) / SIZE);
    for (const s of cluster.servers) {
      const onServer = records.filter((r) => r.serverId === s.id);
      expect(Number(used[s.id] ?? 0)).toBeLessThanOrEqual(CAPACITY);
      expect(Number(used[s.id] ?? 0)).toBe(onServer.length * SIZE);
    }
    expect(new Set(records.map((r) => r.resource)).size).toBe(records.length);

    // All four release every record at once: each reservation is given back exactly once.
    const released = await Promise.all(
      stores.flatMap((store) => records.map((r) => store.release(clusterId, r.resource, r.commandId))),
    );
    expect(released.filter(Boolean)).toHaveLength(records.length);
    const after = await redis.hgetall(REDIS_KEYS.capacity(clusterId));
    for (const s of cluster.servers) expect(Number(after[s.id] ?? 0)).toBe(0);
  });
});
