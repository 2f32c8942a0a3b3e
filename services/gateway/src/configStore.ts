import {
  CONFIG_AUDIT_STREAM,
  readVersionedConfig,
  seedVersionedConfig,
  storedConfigRecord,
  type PdmeConfig,
  type VersionedConfig,
} from '@pdme/common/config';
import {
  openRedisValue,
  SEALED_REDIS_PREFIX,
  sealedKeyId,
  sealRedisValue,
  type EnvelopeCipher,
} from '@pdme/common/crypto';
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
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 4))
redis.call('PUBLISH', KEYS[3], ARGV[3])
return 1
`;

// Replaces the config record only if nobody changed it since it was read.
const SWAP_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

// Rebuilds the audit stream with the same entry ids (a stream only takes ids above its last, so a
// copy is built and renamed over it), only if no entry was appended since it was read.
const REWRITE_STREAM = `
local info = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #info == 0 or info[1][1] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i + 1])
  local fields = {}
  for j = 1, n do fields[j] = ARGV[i + 1 + j] end
  redis.call('XADD', KEYS[2], ARGV[i], unpack(fields))
  i = i + 2 + n
end
redis.call('RENAME', KEYS[2], KEYS[1])
return 1
`;

/** Audit fields kept in the clear when sealed: the version and time (order, retention); who and what are sealed. */
interface SealedAuditBody {
  readonly who: string;
  readonly diff: readonly ConfigChange[];
}

export interface RedisConfigStoreOptions {
  readonly now?: () => number;
  /** Seals the stored config and the audit entries' who and diff at rest. */
  readonly cipher?: EnvelopeCipher;
}

function unavailable(cause: unknown): PdmeError {
  return new PdmeError('UNAVAILABLE', 'config store unavailable', { cause });
}

/** The live config in Redis (REDIS_KEYS.config), seeded from the config file when absent. */
export class RedisConfigStore implements ConfigSource {
  private cached: ConfigView | undefined;

  private readonly now: () => number;
  private readonly cipher: EnvelopeCipher | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly seed: PdmeConfig,
    options: RedisConfigStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.cipher = options.cipher;
  }

  async current(): Promise<ConfigView> {
    let stored: VersionedConfig | undefined;
    try {
      stored =
        (await readVersionedConfig(this.redis, this.cipher)) ??
        (await seedVersionedConfig(this.redis, this.seed, this.cipher));
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
    const atMs = String(this.now());
    const auditFields =
      this.cipher === undefined
        ? [
            'version',
            String(next.version),
            'who',
            change.who,
            'atMs',
            atMs,
            'diff',
            JSON.stringify(change.diff),
          ]
        : [
            'version',
            String(next.version),
            'atMs',
            atMs,
            'sealed',
            sealRedisValue(
              this.cipher,
              CONFIG_AUDIT_STREAM,
              JSON.stringify({ who: change.who, diff: change.diff } satisfies SealedAuditBody),
            ),
          ];
    let result: unknown;
    try {
      result = await this.redis.eval(
        REPLACE,
        3,
        REDIS_KEYS.config,
        CONFIG_AUDIT_STREAM,
        REDIS_KEYS.configChannel,
        String(change.baseVersion),
        storedConfigRecord(next, this.cipher),
        String(next.version),
        ...auditFields,
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
      const body = this.auditBody(fields);
      return {
        id,
        version: Number(fields.get('version') ?? 0),
        who: body.who,
        atMs: Number(fields.get('atMs') ?? 0),
        diff: body.diff,
      };
    });
  }

  /**
   * Re-seals what is stored in the clear or under a key other than the active one: the config
   * record and every audit entry (same ids). Run at start (migration to sealing) and periodically,
   * so an old key can be dropped once every value moved off it. Returns how many values changed.
   */
  async resealAtRest(): Promise<number> {
    const cipher = this.cipher;
    if (cipher === undefined) return 0;
    const active = cipher.keyring.activeId;
    const stale = (sealed: string | undefined) =>
      sealed === undefined ||
      !sealed.startsWith(SEALED_REDIS_PREFIX) ||
      sealedKeyId(Buffer.from(sealed.slice(SEALED_REDIS_PREFIX.length), 'base64')) !== active;
    let changed = 0;
    const raw = await this.redis.get(REDIS_KEYS.config);
    if (raw !== null) {
      const record = JSON.parse(raw) as { sealed?: string };
      if (stale(record.sealed)) {
        const versioned = await readVersionedConfig(this.redis, cipher);
        if (versioned !== undefined) {
          const swapped = await this.redis.eval(
            SWAP_IF_UNCHANGED,
            1,
            REDIS_KEYS.config,
            raw,
            storedConfigRecord(versioned, cipher),
          );
          if (swapped === 1) changed += 1;
        }
      }
    }
    const entries = await this.redis.xrange(CONFIG_AUDIT_STREAM, '-', '+');
    const staleEntries = entries.filter(([, flat]) => stale(fieldsOf(flat).get('sealed'))).length;
    const last = entries.at(-1);
    if (staleEntries > 0 && last !== undefined) {
      const args: string[] = [];
      for (const [id, flat] of entries) {
        const fields = fieldsOf(flat);
        const current = fields.get('sealed');
        // An entry under a key this keyring lacks is kept as it is: never overwritten by a placeholder.
        if (current !== undefined && !stale(current)) {
          args.push(id, String(flat.length), ...flat);
          continue;
        }
        if (current !== undefined && !this.opens(current)) {
          args.push(id, String(flat.length), ...flat);
          continue;
        }
        const body = this.auditBody(fields);
        const sealed = sealRedisValue(cipher, CONFIG_AUDIT_STREAM, JSON.stringify(body));
        const out = [
          'version',
          fields.get('version') ?? '0',
          'atMs',
          fields.get('atMs') ?? '0',
          'sealed',
          sealed,
        ];
        args.push(id, String(out.length), ...out);
      }
      const rewritten = await this.redis.eval(
        REWRITE_STREAM,
        2,
        CONFIG_AUDIT_STREAM,
        `${CONFIG_AUDIT_STREAM}:reseal`,
        last[0],
        ...args,
      );
      if (rewritten === 1) changed += staleEntries;
    }
    return changed;
  }

  private opens(sealed: string): boolean {
    if (this.cipher === undefined || !sealed.startsWith(SEALED_REDIS_PREFIX)) return false;
    try {
      openRedisValue(this.cipher, CONFIG_AUDIT_STREAM, sealed);
      return true;
    } catch {
      return false;
    }
  }

  /** Who and what of an entry: opened when sealed (an entry under a key no longer held shows as sealed). */
  private auditBody(fields: ReadonlyMap<string, string>): SealedAuditBody {
    const sealed = fields.get('sealed');
    try {
      if (sealed === undefined) {
        return {
          who: fields.get('who') ?? '',
          diff: JSON.parse(fields.get('diff') ?? '[]') as ConfigChange[],
        };
      }
      if (this.cipher === undefined) return { who: '(sealed)', diff: [] };
      return JSON.parse(openRedisValue(this.cipher, CONFIG_AUDIT_STREAM, sealed)) as SealedAuditBody;
    } catch {
      return { who: fields.get('who') ?? '(sealed)', diff: [] };
    }
  }
}

function fieldsOf(flat: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] ?? '', flat[i + 1] ?? '');
  return fields;
}
