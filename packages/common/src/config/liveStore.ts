import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { EnvelopeCipher } from '../crypto/envelope.js';
import { openRedisValue, sealRedisValue } from '../crypto/sealedValues.js';
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

/**
 * Stored as `{version, config}`, or sealed at rest as `{version, sealed}` where `sealed` holds the
 * config document's JSON in an envelope bound to the key name: the version stays readable for the
 * gateway's compare-and-set script, the document (cache addresses, key file paths) does not.
 */
const StoredSchema = z.object({
  version: z.number().int().min(1),
  config: z.unknown().optional(), // absent when sealed
  sealed: z.string().optional(),
});

/** The text to store under REDIS_KEYS.config for `versioned`: sealed when a cipher is given. */
export function storedConfigRecord(versioned: VersionedConfig, cipher?: EnvelopeCipher): string {
  if (cipher === undefined) return JSON.stringify(versioned);
  const sealed = sealRedisValue(cipher, REDIS_KEYS.config, JSON.stringify(versioned.config));
  return JSON.stringify({ version: versioned.version, sealed });
}

function storedDocument(stored: z.output<typeof StoredSchema>, cipher: EnvelopeCipher | undefined): unknown {
  if (stored.sealed === undefined) return stored.config;
  if (cipher === undefined) {
    throw new PdmeError('CONFIG_INVALID', `${REDIS_KEYS.config} is sealed and no keyring is loaded`);
  }
  return JSON.parse(openRedisValue(cipher, REDIS_KEYS.config, stored.sealed));
}

/**
 * The stored record, validated: undefined when absent; CONFIG_INVALID (with every problem) when the
 * record or its document does not validate, so callers keep what they have.
 */
export async function readVersionedConfig(
  redis: Redis,
  cipher?: EnvelopeCipher,
): Promise<VersionedConfig | undefined> {
  const text = await redis.get(REDIS_KEYS.config);
  if (text === null) return undefined;
  let stored: z.output<typeof StoredSchema>;
  let document: unknown;
  try {
    stored = StoredSchema.parse(JSON.parse(text));
    document = storedDocument(stored, cipher);
  } catch (error) {
    if (error instanceof PdmeError) throw error;
    throw new PdmeError('CONFIG_INVALID', `${REDIS_KEYS.config} is not a {version, config} record`, {
      cause: error,
    });
  }
  return {
    version: stored.version,
    config: parseConfig(document, `${REDIS_KEYS.config} v${stored.version}`),
  };
}

/** Stores `config` as version 1 unless a live config exists already (SET NX); returns what is stored. */
export async function seedVersionedConfig(
  redis: Redis,
  config: PdmeConfig,
  cipher?: EnvelopeCipher,
): Promise<VersionedConfig> {
  await redis.set(REDIS_KEYS.config, storedConfigRecord({ version: 1, config }, cipher), 'NX');
  const stored = await readVersionedConfig(redis, cipher);
  if (stored === undefined) throw new PdmeError('UNAVAILABLE', `${REDIS_KEYS.config} vanished after seeding`);
  return stored;
}
