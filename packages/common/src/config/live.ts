import type { Redis } from 'ioredis';
import type { EnvelopeCipher } from '../crypto/envelope.js';
import { errorMessage } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import { REDIS_KEYS } from '../redisKeys.js';
import { readVersionedConfig, seedVersionedConfig, type VersionedConfig } from './liveStore.js';
import type { PdmeConfig } from './schema.js';

export type LiveConfigListener = (next: VersionedConfig, previous: VersionedConfig) => void | Promise<void>;

export interface LiveConfigOptions {
  /** For GET (and the seeding SET NX). */
  readonly redis: Redis;
  /**
   * A separate connection used only for SUBSCRIBE (a subscribed connection can run nothing else).
   * LiveConfig owns it from here on: `stop()` closes it.
   */
  readonly subscriber: Redis;
  /** The config from PDME_CONFIG_FILE: seeds Redis when no live config exists, and is used until then. */
  readonly initial: PdmeConfig;
  readonly logger: Logger;
  /** Opens (and seeds) the record sealed at rest; without it only a plaintext record reads. */
  readonly cipher?: EnvelopeCipher;
}

/**
 * The PDME config in force, kept current: the gateway stores each accepted change under
 * REDIS_KEYS.config and publishes its version on REDIS_KEYS.configChannel; LiveConfig fetches the
 * new record, validates it and tells its listeners. A version that does not validate is rejected
 * (logged, `config.live.rejected`) and the old one stays in force. Versions only move forward.
 */
export class LiveConfig {
  private currentValue: VersionedConfig;
  private readonly listeners = new Set<LiveConfigListener>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: LiveConfigOptions) {
    this.currentValue = { version: 0, config: options.initial };
  }

  get config(): PdmeConfig {
    return this.currentValue.config;
  }

  get version(): number {
    return this.currentValue.version;
  }

  current(): VersionedConfig {
    return this.currentValue;
  }

  /** Listeners run in order, one change at a time; a failing listener is logged, not fatal. */
  onChange(listener: LiveConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribes first, then reads (seeding if absent), so no change between the two is missed. */
  async start(): Promise<void> {
    const { subscriber, redis, initial, logger } = this.options;
    subscriber.on('message', (channel: string) => {
      if (channel === REDIS_KEYS.configChannel) void this.refresh();
    });
    // After a reconnect ioredis re-subscribes, but messages sent meanwhile are lost: read again.
    subscriber.on('ready', () => void this.refresh());
    if (subscriber.status === 'wait') await subscriber.connect();
    await subscriber.subscribe(REDIS_KEYS.configChannel);
    const seeded = await seedVersionedConfig(redis, initial, this.options.cipher);
    await this.apply(seeded);
    logger.info({ event: 'config.live.started', version: this.version }, 'live config started');
  }

  /** Fetches the stored version and applies it when newer; serialized so listeners see versions in order. */
  refresh(): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.stopped) return;
      let next: VersionedConfig | undefined;
      try {
        next = await readVersionedConfig(this.options.redis, this.options.cipher);
      } catch (error) {
        this.options.logger.error(
          { event: 'config.live.rejected', kept: this.version, error: errorMessage(error) },
          'live config version rejected; keeping the one in force',
        );
        return;
      }
      if (next !== undefined) await this.apply(next);
    });
    return this.queue;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.listeners.clear();
    await this.queue;
    const { subscriber } = this.options;
    if (subscriber.status === 'ready') await subscriber.quit();
    else subscriber.disconnect();
  }

  private async apply(next: VersionedConfig): Promise<void> {
    if (next.version <= this.currentValue.version) return;
    const previous = this.currentValue;
    this.currentValue = next;
    this.options.logger.info(
      { event: 'config.live.applied', version: next.version, previous: previous.version },
      'live config applied',
    );
    for (const listener of this.listeners) {
      try {
        await listener(next, previous);
      } catch (error) {
        this.options.logger.error(
          { event: 'config.live.listener_failed', version: next.version, error: errorMessage(error) },
          'a live config listener failed',
        );
      }
    }
  }
}
