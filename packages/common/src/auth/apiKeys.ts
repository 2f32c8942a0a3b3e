import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PdmeError } from '../errors/index.js';
import { SCOPES, type Principal, type Scope } from './scopes.js';

/** Hash key id -> JSON ApiKeyRecord. Only hashes are stored; the key itself is shown once at creation. */
export const API_KEYS_HASH = 'pdme:apikeys';

/** `pdme_<16 hex id>_<43 base64url secret>`: the id finds the record, the secret proves possession. */
const KEY_FORMAT = /^pdme_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

const ApiKeyRecordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  name: z.string(),
  scope: z.enum(SCOPES),
  /** Per-key random salt, base64. */
  salt: z.string().min(1),
  /** sha256(salt || secret), hex. The secret has 256 random bits, so a fast hash is enough. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdMs: z.number().int(),
  revokedMs: z.number().int().optional(),
});

export type ApiKeyRecord = z.output<typeof ApiKeyRecordSchema>;
/** What `list` shows: never the salt or hash. */
export type ApiKeyInfo = Omit<ApiKeyRecord, 'salt' | 'hash'>;

function digest(salt: string, secret: string): Buffer {
  return createHash('sha256').update(Buffer.from(salt, 'base64')).update(secret, 'utf8').digest();
}

function info(record: ApiKeyRecord): ApiKeyInfo {
  const { salt: _salt, hash: _hash, ...rest } = record;
  return rest;
}

function parseRecord(text: string | null | undefined): ApiKeyRecord | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const result = ApiKeyRecordSchema.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a presented token has the shape of one of our API keys (as opposed to a JWT). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('pdme_');
}

/** API keys in Redis, stored hashed with a per-key salt. */
export class ApiKeyStore {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a key; the returned `key` is the only time its secret exists outside the caller. */
  async create(scope: Scope, name: string): Promise<{ key: string; info: ApiKeyInfo }> {
    for (;;) {
      const id = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const salt = randomBytes(16).toString('base64');
      const record: ApiKeyRecord = {
        id,
        name,
        scope,
        salt,
        hash: digest(salt, secret).toString('hex'),
        createdMs: this.now(),
      };
      // HSETNX: an id collision (2^-64) picks another id rather than overwriting a key.
      if ((await this.redis.hsetnx(API_KEYS_HASH, id, JSON.stringify(record))) === 1) {
        return { key: `pdme_${id}_${secret}`, info: info(record) };
      }
    }
  }

  /** Every key, oldest first, without secrets or hashes. */
  async list(): Promise<ApiKeyInfo[]> {
    const all = await this.redis.hgetall(API_KEYS_HASH);
    return Object.values(all)
      .map(parseRecord)
      .filter((record): record is ApiKeyRecord => record !== undefined)
      .map(info)
      .sort((a, b) => a.createdMs - b.createdMs || (a.id < b.id ? -1 : 1));
  }

  /** Marks a key revoked (the record stays, for the audit trail). Throws NOT_FOUND for an unknown id. */
  async revoke(id: string): Promise<ApiKeyInfo> {
    const record = parseRecord(await this.redis.hget(API_KEYS_HASH, id));
    if (record === undefined) throw new PdmeError('NOT_FOUND', `no API key with id ${id}`);
    if (record.revokedMs !== undefined) return info(record);
    const revoked: ApiKeyRecord = { ...record, revokedMs: this.now() };
    await this.redis.hset(API_KEYS_HASH, id, JSON.stringify(revoked));
    return info(revoked);
  }

  /** The principal a key stands for, or undefined when it is malformed, unknown, revoked or wrong. */
  async verify(key: string): Promise<Principal | undefined> {
    const match = KEY_FORMAT.exec(key);
    const id = match?.[1];
    const secret = match?.[2];
    if (id === undefined || secret === undefined) return undefined;
    const record = parseRecord(await this.redis.hget(API_KEYS_HASH, id));
    if (record === undefined || record.revokedMs !== undefined) return undefined;
    const expected = Buffer.from(record.hash, 'hex');
    const actual = digest(record.salt, secret);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return { subject: `key:${id}`, scopes: [record.scope], via: 'api-key' };
  }
}
