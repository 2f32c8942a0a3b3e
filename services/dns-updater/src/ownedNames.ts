import type { Redis } from '@pdme/common/redis';

/**
 * The names this updater has claimed, per cluster. The reconciler walks it to find PDME records that
 * no desired mirror explains any more (the zone cannot be listed: transfers are not allowed).
 */
export interface OwnedNames {
  has(cluster: string, resource: string): Promise<boolean>;
  add(cluster: string, resource: string): Promise<void>;
  remove(cluster: string, resource: string): Promise<void>;
  list(cluster: string): Promise<string[]>;
}

/** Redis sets `<prefix><cluster>` (default `pdme:dns-owned:<cluster>`, owner: dns-updater). */
export function redisOwnedNames(redis: Redis, prefix = 'pdme:dns-owned:'): OwnedNames {
  const key = (cluster: string) => `${prefix}${cluster}`;
  return {
    has: async (cluster, resource) => (await redis.sismember(key(cluster), resource)) === 1,
    add: async (cluster, resource) => {
      await redis.sadd(key(cluster), resource);
    },
    remove: async (cluster, resource) => {
      await redis.srem(key(cluster), resource);
    },
    list: (cluster) => redis.smembers(key(cluster)),
  };
}
