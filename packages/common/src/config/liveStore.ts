import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PdmeError } from '../errors/index.js';
import { REDIS_KEYS } from '../redisKeys.js';
import { parseConfig } from './load.js';
import type { PdmeConfig } from './schema.js';

/** Append-only stream of config changes: version, who, atMs, diff (JSON). */
export const CONFIG_AUDIT_STREAM = 'pdme:config:audit';

/** The live config as stored under REDIS_KEYS.config: a version that only grows, and the document. */
export interface VersionedConfig {
  readonly version: number;
  readonly config: PdmeConfig;
}

const StoredSchema = z.object({ version: z.number().int().min(1), config: z.unknown() });

/**
 * The stored record, validated: undefined when absent; CONFIG_INVALID (with every problem) when the
 * record or its document does not validate, so callers keep what they have.
 */
export async function readVersionedConfig(redis: Redis): Promise<VersionedConfig | undefined> {
  const text = await redis.get(REDIS_KEYS.config);
  if (text === null) return undefined;
  let stored: z.output<typeof StoredSchema>;
  try {
    stored = StoredSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new PdmeError('CONFIG_INVALID', `${REDIS_KEYS.config} is not a {version, config} record`, {
      cause: error,
    });
  }
  return {
    version: stored.version,
    config: parseConfig(stored.config, `${REDIS_KEYS.config} v${stored.version}`),
  };
}

/** Stores `config` as version 1 unless a live config exists already (SET NX); returns what is stored. */
export async function seedVersionedConfig(redis: Redis, config: PdmeConfig): Promise<VersionedConfig> {
  await redis.set(REDIS_KEYS.config, JSON.stringify({ version: 1, config }), 'NX');
  const stored = await readVersionedConfig(redis);
  if (stored === undefined) throw new PdmeError('UNAVAILABLE', `${REDIS_KEYS.config} vanished after seeding`);
  return stored;
}
