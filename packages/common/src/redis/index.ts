import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logging/index.js';

export { Redis } from 'ioredis';
export type { RedisOptions } from 'ioredis';

/** An ioredis client that reconnects with capped backoff and logs state changes, not secrets. */
export function createRedis(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    ...options,
  });
  const log = logger.child({ component: 'redis' });
  redis.on('error', (error: Error) =>
    log.warn({ event: 'redis.client.error', error: error.message }, 'redis error'),
  );
  redis.on('ready', () => log.info({ event: 'redis.client.ready' }, 'redis ready'));
  return redis;
}
