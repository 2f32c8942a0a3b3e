import { REDIS_KEYS } from '@pdme/common/keys';
import type { Redis } from '@pdme/common/redis';
import type { AppliedLedger } from './commandApplier.js';

/** Applied command ids in Redis with a TTL: a replayed command within a week is a no-op. */
export function redisLedger(redis: Redis, ttlSeconds = 7 * 86_400): AppliedLedger {
  return {
    has: async (id) => (await redis.exists(REDIS_KEYS.appliedCommand(id))) === 1,
    record: async (id) => {
      await redis.set(REDIS_KEYS.appliedCommand(id), '1', 'EX', ttlSeconds);
    },
  };
}
