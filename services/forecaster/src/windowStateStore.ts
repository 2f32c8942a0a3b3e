import { openRedisValue, sealRedisValue, type EnvelopeCipher } from '@pdme/common/crypto';
import type { Redis } from '@pdme/common/redis';
import { REDIS_KEYS } from '@pdme/common/keys';
import { PdmeError } from '@pdme/common/errors';
import type { WindowCounterSnapshot } from './windowCounter.js';

/** One partition's open windows and the offset of the first message they do not include. */
export interface PartitionWindowState {
  readonly nextOffset: number;
  readonly windows: WindowCounterSnapshot;
}

/**
 * Persists each partition's window state together with the consumed offset, in one hash written by
 * one command, so a reader never sees windows of one offset with another. `keyPrefix` isolates
 * tests and side instances from the live forecaster's keys.
 */
export class WindowStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = '',
    /** Seals the windows at rest: they hold event ids and anonymized client groups. */
    private readonly cipher?: EnvelopeCipher,
  ) {}

  key(partition: number): string {
    return `${this.keyPrefix}${REDIS_KEYS.windows(partition)}`;
  }

  async save(partition: number, state: PartitionWindowState): Promise<void> {
    await this.redis.hset(this.key(partition), {
      nextOffset: String(state.nextOffset),
      windows:
        this.cipher === undefined
          ? JSON.stringify(state.windows)
          : sealRedisValue(this.cipher, this.key(partition), JSON.stringify(state.windows)),
    });
  }

  async load(partition: number): Promise<PartitionWindowState | undefined> {
    const [nextOffset, windows] = await this.redis.hmget(this.key(partition), 'nextOffset', 'windows');
    if (typeof nextOffset !== 'string' || typeof windows !== 'string') return undefined;
    try {
      const text =
        this.cipher === undefined ? windows : openRedisValue(this.cipher, this.key(partition), windows);
      return { nextOffset: Number(nextOffset), windows: JSON.parse(text) as WindowCounterSnapshot };
    } catch (cause) {
      throw new PdmeError('INTERNAL', `window state of partition ${partition} is not valid JSON`, {
        cause,
        details: { key: this.key(partition) },
      });
    }
  }
}
