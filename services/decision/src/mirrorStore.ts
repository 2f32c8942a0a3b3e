import type { ClusterConfig } from '@pdme/common/config';
import { REDIS_KEYS } from '@pdme/common/keys';
import { MirrorRecordSchema, type MirrorRecord, type StatCounter } from '@pdme/common/mirror-state';
import type { Redis } from '@pdme/common/redis';
import type { Candidate } from './selectBestServer.js';

// Reserves capacity and records the mirror in one step, so concurrent decision instances can
// neither overfill a server nor place the same resource twice in a cluster.
const RESERVE = `
if redis.call('HEXISTS', KEYS[2], ARGV[4]) == 1 then return 0 end
local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if used + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return -1 end
redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
return 1
`;

// Releases a mirror's reservation once; a replayed release finds no record (or another command's).
const RELEASE = `
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return 0 end
local record = cjson.decode(raw)
if record['commandId'] ~= ARGV[2] then return 0 end
redis.call('HINCRBY', KEYS[1], record['serverId'], -tonumber(record['reservedBytes']))
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

export type ReserveOutcome = 'reserved' | 'exists' | 'full';

/** Decision's shared state in Redis: cache servers, their reserved bytes, and mirror records. */
export class MirrorStore {
  constructor(private readonly redis: Redis) {}

  /** Publishes the configured servers so the gateway and other instances see the same inventory. */
  async registerServers(clusters: readonly ClusterConfig[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const cluster of clusters) {
      pipeline.del(REDIS_KEYS.servers(cluster.id));
      for (const server of cluster.servers) {
        pipeline.hset(REDIS_KEYS.servers(cluster.id), server.id, JSON.stringify(server));
      }
    }
    await pipeline.exec();
  }

  async candidates(cluster: ClusterConfig): Promise<Candidate[]> {
    const used = await this.redis.hgetall(REDIS_KEYS.capacity(cluster.id));
    return cluster.servers.map((server) => ({
      server,
      usedBytes: Number(used[server.id] ?? 0),
      healthy: true,
    }));
  }

  /** The resource's mirror records in every cluster. */
  async mirrorsOf(resource: string, clusterIds: readonly string[]): Promise<MirrorRecord[]> {
    const pipeline = this.redis.pipeline();
    for (const id of clusterIds) pipeline.hget(REDIS_KEYS.mirrors(id), resource);
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([error, raw]) => {
      if (error !== null || typeof raw !== 'string') return [];
      const parsed = MirrorRecordSchema.safeParse(JSON.parse(raw));
      return parsed.success ? [parsed.data] : [];
    });
  }

  async reserve(record: MirrorRecord, capacityBytes: number): Promise<ReserveOutcome> {
    const result = await this.redis.eval(
      RESERVE,
      2,
      REDIS_KEYS.capacity(record.cluster),
      REDIS_KEYS.mirrors(record.cluster),
      record.serverId,
      String(record.reservedBytes),
      String(capacityBytes),
      record.resource,
      JSON.stringify(record),
    );
    return result === 1 ? 'reserved' : result === 0 ? 'exists' : 'full';
  }

  async release(cluster: string, resource: string, commandId: string): Promise<boolean> {
    const result = await this.redis.eval(
      RELEASE,
      2,
      REDIS_KEYS.capacity(cluster),
      REDIS_KEYS.mirrors(cluster),
      resource,
      commandId,
    );
    return result === 1;
  }

  /** Overwrites a record; only the instance owning the resource's partition writes it. */
  async update(record: MirrorRecord): Promise<void> {
    await this.redis.hset(REDIS_KEYS.mirrors(record.cluster), record.resource, JSON.stringify(record));
  }

  async get(cluster: string, resource: string): Promise<MirrorRecord | undefined> {
    const raw = await this.redis.hget(REDIS_KEYS.mirrors(cluster), resource);
    if (raw === null) return undefined;
    const parsed = MirrorRecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  /** This cluster's mirror records, whatever their state. */
  async mirrorsIn(cluster: string): Promise<MirrorRecord[]> {
    const all = await this.redis.hgetall(REDIS_KEYS.mirrors(cluster));
    return Object.values(all).flatMap((raw) => {
      const parsed = MirrorRecordSchema.safeParse(JSON.parse(raw));
      return parsed.success ? [parsed.data] : [];
    });
  }

  async count(counter: StatCounter, by = 1): Promise<void> {
    await this.redis.hincrby(REDIS_KEYS.counters, counter, by);
  }

  /** True the first time a result is seen: replays of mirror-results change nothing. */
  async firstTimeResult(commandId: string, outcome: string): Promise<boolean> {
    const set = await this.redis.set(
      `pdme:decision:result:${commandId}:${outcome}`,
      '1',
      'EX',
      7 * 86_400,
      'NX',
    );
    return set === 'OK';
  }
}
