import {
  CONFIG_AUDIT_STREAM,
  readVersionedConfig,
  seedVersionedConfig,
  type PdmeConfig,
  type VersionedConfig,
} from '@pdme/common/config';
import { PdmeError } from '@pdme/common/errors';
import { REDIS_KEYS } from '@pdme/common/keys';
import type { Redis } from '@pdme/common/redis';
import { canonicalJson, etagOf } from './canonicalJson.js';
import type { ConfigChange } from './configDiff.js';

/** A config version as the API shows it: canonical JSON body and its strong ETag. */
export interface ConfigView extends VersionedConfig {
  readonly body: string;
  readonly etag: string;
}

export interface ConfigChangeRequest {
  /** The version the change was computed from; another writer in between makes it fail (412). */
  readonly baseVersion: number;
  readonly config: PdmeConfig;
  /** Principal subject, for the audit trail. */
  readonly who: string;
  readonly diff: readonly ConfigChange[];
}

export interface AuditEntry {
  readonly id: string;
  readonly version: number;
  readonly who: string;
  readonly atMs: number;
  readonly diff: readonly ConfigChange[];
}

/** What the HTTP routes need (tests may pass an in-memory one). */
export interface ConfigSource {
  current(): Promise<ConfigView>;
  replace(change: ConfigChangeRequest): Promise<ConfigView>;
  audit(count: number): Promise<AuditEntry[]>;
}

export function viewOf(versioned: VersionedConfig): ConfigView {
  const body = canonicalJson(versioned.config);
  return { ...versioned, body, etag: etagOf(body) };
}

// Compare-and-set on the version, audit entry and change notice in one atomic step: a change is
// stored only if audited, and announced only once stored.
const REPLACE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local current = cjson.decode(raw)
if tonumber(current['version']) ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('XADD', KEYS[2], '*', 'version', ARGV[3], 'who', ARGV[4], 'atMs', ARGV[5], 'diff', ARGV[6])
redis.call('PUBLISH', KEYS[3], ARGV[3])
return 1
`;

function unavailable(cause: unknown): PdmeError {
  return new PdmeError('UNAVAILABLE', 'config store unavailable', { cause });
}

/** The live config in Redis (REDIS_KEYS.config), seeded from the config file when absent. */
export class RedisConfigStore implements ConfigSource {
  private cached: ConfigView | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly seed: PdmeConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<ConfigView> {
    let stored: VersionedConfig | undefined;
    try {
      stored = (await readVersionedConfig(this.redis)) ?? (await seedVersionedConfig(this.redis, this.seed));
    } catch (error) {
      if (error instanceof PdmeError && error.code === 'CONFIG_INVALID') throw error;
      throw unavailable(error);
    }
    // Re-render only when the version moved: canonical JSON and sha256 of a large config are not free.
    if (this.cached?.version !== stored.version) this.cached = viewOf(stored);
    return this.cached;
  }

  async replace(change: ConfigChangeRequest): Promise<ConfigView> {
    const next: VersionedConfig = { version: change.baseVersion + 1, config: change.config };
    let result: unknown;
    try {
      result = await this.redis.eval(
        REPLACE,
        3,
        REDIS_KEYS.config,
        CONFIG_AUDIT_STREAM,
        REDIS_KEYS.configChannel,
        String(change.baseVersion),
        JSON.stringify(next),
        String(next.version),
        change.who,
        String(this.now()),
        JSON.stringify(change.diff),
      );
    } catch (error) {
      throw unavailable(error);
    }
    if (result !== 1) {
      throw new PdmeError('PRECONDITION_FAILED', 'the config changed meanwhile: GET it again and retry', {
        details: { baseVersion: change.baseVersion },
      });
    }
    this.cached = viewOf(next);
    return this.cached;
  }

  /** The latest `count` audit entries, newest first. */
  async audit(count: number): Promise<AuditEntry[]> {
    let entries: [string, string[]][];
    try {
      entries = await this.redis.xrevrange(CONFIG_AUDIT_STREAM, '+', '-', 'COUNT', count);
    } catch (error) {
      throw unavailable(error);
    }
    return entries.map(([id, flat]) => {
      const fields = new Map<string, string>();
      for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] ?? '', flat[i + 1] ?? '');
      let diff: ConfigChange[];
      try {
        diff = JSON.parse(fields.get('diff') ?? '[]') as ConfigChange[];
      } catch {
        diff = [];
      }
      return {
        id,
        version: Number(fields.get('version') ?? 0),
        who: fields.get('who') ?? '',
        atMs: Number(fields.get('atMs') ?? 0),
        diff,
      };
    });
  }
}
