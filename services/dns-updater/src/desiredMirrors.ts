import { REDIS_KEYS } from '@pdme/common/keys';
import { MirrorRecordSchema, type MirrorRecord } from '@pdme/common/mirror-state';
import type { Redis } from '@pdme/common/redis';

/** Every mirror decision keeps for a cluster (any state); the reconciler's idea of "desired". */
export type DesiredMirrors = (cluster: string) => Promise<MirrorRecord[]>;

/** Reads decision's `pdme:mirrors:<cluster>` hash; records that do not parse are skipped. */
export function redisDesiredMirrors(redis: Redis): DesiredMirrors {
  return async (cluster) => {
    const fields = await redis.hgetall(REDIS_KEYS.mirrors(cluster));
    const records: MirrorRecord[] = [];
    for (const text of Object.values(fields)) {
      try {
        const parsed = MirrorRecordSchema.safeParse(JSON.parse(text));
        if (parsed.success) records.push(parsed.data);
      } catch {
        // not JSON: not a mirror record
      }
    }
    return records;
  };
}
