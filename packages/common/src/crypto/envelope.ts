import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { PdmeError } from '../errors/index.js';
import type { Keyring } from './keyring.js';

/**
 * Sealed layout (all integers unsigned):
 *   [0]        format version (1)
 *   [1]        key id length n (1..255)
 *   [2..2+n)   key id, ASCII
 *   then       16-byte random salt, 12-byte random nonce, 16-byte GCM tag, ciphertext
 * Version and key id are authenticated (they go into GCM's AAD with the caller's AAD), so a header
 * edited in transit fails like any other tampering. Payloads are sealed under subkeys
 * HKDF-SHA256(keyring key, salt): random 96-bit GCM nonces under one key are safe for only about
 * 2^32 seals, which ingest would reach within days. A writer draws a new random salt every
 * SEALS_PER_SUBKEY seals (and on each key change), so no GCM key sees more than 2^24 nonces
 * (collision chance under 2^-48), while HKDF runs once per salt, not per payload.
 */
export const ENVELOPE_VERSION = 1;
const SALT_BYTES = 16;
const SEALS_PER_SUBKEY = 2 ** 24;
/** Subkeys kept for opening: a handful of writers each change salt rarely. */
const OPEN_CACHE_SIZE = 256;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';
const HKDF_INFO = Buffer.from('pdme-envelope-v1');

export type EnvelopeFailure = 'malformed' | 'unsupported_version' | 'unknown_key' | 'tampered';

/** Why a sealed payload did not open. Never carries plaintext, keys or the payload itself. */
export class EnvelopeError extends PdmeError {
  readonly reason: EnvelopeFailure;

  constructor(reason: EnvelopeFailure, message: string, keyId?: string) {
    // An unknown key is our keyring's gap (config), everything else is bad input.
    super(reason === 'unknown_key' ? 'PRECONDITION_FAILED' : 'BAD_INPUT', message, {
      details: keyId === undefined ? { reason } : { reason, keyId },
      retryable: false,
    });
    this.name = 'EnvelopeError';
    this.reason = reason;
  }
}

interface WriterState {
  readonly keyId: string;
  readonly head: Buffer;
  readonly salt: Buffer;
  readonly subkey: Buffer;
  remaining: number;
}

interface Header {
  readonly keyId: string;
  /** The bytes from the version up to the nonce: authenticated as AAD. */
  readonly bytes: Buffer;
  readonly salt: Buffer;
  readonly nonce: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

function header(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'ascii');
  return Buffer.concat([Buffer.from([ENVELOPE_VERSION, id.length]), id]);
}

function parse(sealed: Uint8Array): Header {
  const buffer = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (buffer.length < 2) throw new EnvelopeError('malformed', 'envelope: too short for a header');
  if (buffer[0] !== ENVELOPE_VERSION) {
    throw new EnvelopeError('unsupported_version', `envelope: unsupported version ${String(buffer[0])}`);
  }
  const idLength = buffer[1] ?? 0;
  const saltAt = 2 + idLength;
  const nonceAt = saltAt + SALT_BYTES;
  if (idLength === 0 || buffer.length < nonceAt + NONCE_BYTES + TAG_BYTES) {
    throw new EnvelopeError('malformed', 'envelope: truncated');
  }
  return {
    keyId: buffer.subarray(2, saltAt).toString('latin1'),
    bytes: buffer.subarray(0, saltAt),
    salt: buffer.subarray(saltAt, nonceAt),
    nonce: buffer.subarray(nonceAt, nonceAt + NONCE_BYTES),
    tag: buffer.subarray(nonceAt + NONCE_BYTES, nonceAt + NONCE_BYTES + TAG_BYTES),
    ciphertext: buffer.subarray(nonceAt + NONCE_BYTES + TAG_BYTES),
  };
}

function subkey(key: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, salt, HKDF_INFO, 32));
}

function additionalData(headerBytes: Buffer, aad: Uint8Array | undefined): Buffer {
  return aad === undefined ? headerBytes : Buffer.concat([headerBytes, aad]);
}

/** The key id a sealed payload names, without opening it (to find data still under an old key). */
export function sealedKeyId(sealed: Uint8Array): string {
  return parse(sealed).keyId;
}

/**
 * AES-256-GCM envelope over a keyring. `aad` binds a payload to its context (topic and key, Redis
 * key name), so a sealed value copied elsewhere does not open.
 */
export class EnvelopeCipher {
  #keyring: Keyring;
  #writer: WriterState | undefined;
  readonly #openKeys = new Map<string, Buffer>();
  /** Random bytes drawn in bulk: one CSPRNG call per 512 nonces instead of one per seal. */
  #noncePool = Buffer.alloc(0);
  #nonceAt = 0;

  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  get keyring(): Keyring {
    return this.#keyring;
  }

  /** Swaps the keyring in one step: seals after this use its active key, opens use all its keys. */
  useKeyring(keyring: Keyring): void {
    this.#keyring = keyring;
    this.#writer = undefined;
    this.#openKeys.clear();
  }

  seal(plaintext: Uint8Array, aad?: Uint8Array): Buffer {
    const writer = this.writer();
    writer.remaining -= 1;
    const nonce = this.nextNonce();
    const cipher = createCipheriv(ALGORITHM, writer.subkey, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(writer.head, aad));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([writer.head, writer.salt, nonce, cipher.getAuthTag(), ciphertext]);
  }

  /** The plaintext, or an EnvelopeError: never unauthenticated bytes. */
  open(sealed: Uint8Array, aad?: Uint8Array): Buffer {
    const parts = parse(sealed);
    const key = this.#keyring.get(parts.keyId);
    if (key === undefined) {
      throw new EnvelopeError('unknown_key', 'envelope: sealed under a key this keyring lacks', parts.keyId);
    }
    const decipher = createDecipheriv(ALGORITHM, this.openKey(parts.keyId, key, parts.salt), parts.nonce, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(additionalData(parts.bytes, aad));
    decipher.setAuthTag(parts.tag);
    const plaintext = decipher.update(parts.ciphertext);
    try {
      // final() checks the tag; the bytes from update() are dropped unless it passes.
      return Buffer.concat([plaintext, decipher.final()]);
    } catch {
      throw new EnvelopeError(
        'tampered',
        'envelope: authentication failed (tampered, wrong AAD or wrong key)',
        parts.keyId,
      );
    }
  }

  /** Re-seals under the active key when needed (background re-encryption before dropping a key). */
  reseal(sealed: Uint8Array, aad?: Uint8Array): Buffer | undefined {
    if (sealedKeyId(sealed) === this.#keyring.activeId) return undefined;
    return this.seal(this.open(sealed, aad), aad);
  }

  private writer(): WriterState {
    const { id, key } = this.#keyring.activeKey();
    const current = this.#writer;
    if (current !== undefined && current.keyId === id && current.remaining > 0) return current;
    const salt = randomBytes(SALT_BYTES);
    this.#writer = {
      keyId: id,
      head: header(id),
      salt,
      subkey: subkey(key, salt),
      remaining: SEALS_PER_SUBKEY,
    };
    return this.#writer;
  }

  private openKey(keyId: string, key: Buffer, salt: Buffer): Buffer {
    const cacheKey = `${keyId}/${salt.toString('base64')}`;
    let derived = this.#openKeys.get(cacheKey);
    if (derived === undefined) {
      derived = subkey(key, salt);
      if (this.#openKeys.size >= OPEN_CACHE_SIZE) this.#openKeys.clear();
      this.#openKeys.set(cacheKey, derived);
    }
    return derived;
  }

  private nextNonce(): Buffer {
    if (this.#nonceAt + NONCE_BYTES > this.#noncePool.length) {
      this.#noncePool = randomBytes(NONCE_BYTES * 512);
      this.#nonceAt = 0;
    }
    const nonce = this.#noncePool.subarray(this.#nonceAt, this.#nonceAt + NONCE_BYTES);
    this.#nonceAt += NONCE_BYTES;
    return nonce;
  }
}
