import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeCipher, EnvelopeError, sealedKeyId, type EnvelopeFailure } from './envelope.js';
import { Keyring } from './keyring.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ring = (active = 'k1') => new Keyring(new Map([['k1', k1]]), active);
const aad = Buffer.from('pdme.dns-queries.v1/www.example');

function failure(run: () => unknown): EnvelopeFailure | 'opened' {
  try {
    run();
    return 'opened';
  } catch (error) {
    if (error instanceof EnvelopeError) return error.reason;
    throw error;
  }
}

describe('EnvelopeCipher', () => {
  it('round-trips with and without AAD, and the ciphertext hides the plaintext', () => {
    const cipher = new EnvelopeCipher(ring());
    const plaintext = Buffer.from('client_hash=9f2c region=eu-west os=android');
    const sealed = cipher.seal(plaintext, aad);
    expect(sealed.includes(plaintext)).toBe(false);
    expect(sealed.includes(Buffer.from('client_hash'))).toBe(false);
    expect(cipher.open(sealed, aad)).toEqual(plaintext);
    expect(cipher.open(cipher.seal(plaintext))).toEqual(plaintext);
    expect(cipher.open(cipher.seal(Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
  });

  it('uses a fresh nonce per seal: the same plaintext seals differently', () => {
    const cipher = new EnvelopeCipher(ring());
    expect(cipher.seal(Buffer.from('same'))).not.toEqual(cipher.seal(Buffer.from('same')));
  });

  it('writes version 1 and the key id in the header', () => {
    const sealed = new EnvelopeCipher(ring()).seal(Buffer.from('x'));
    expect(sealed[0]).toBe(1);
    expect(sealed[1]).toBe(2);
    expect(sealed.subarray(2, 4).toString()).toBe('k1');
    expect(sealedKeyId(sealed)).toBe('k1');
    expect(sealed.length).toBe(2 + 2 + 16 + 12 + 16 + 1); // header, salt, nonce, tag, 1 byte
  });

  it('refuses every single flipped byte, header included', () => {
    const cipher = new EnvelopeCipher(ring());
    const sealed = cipher.seal(Buffer.from('audit: admin changed clusters.c1.capacity'), aad);
    for (let i = 0; i < sealed.length; i += 1) {
      const tampered = Buffer.from(sealed);
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      expect(
        failure(() => cipher.open(tampered, aad)),
        `byte ${i}`,
      ).not.toBe('opened');
    }
  });

  it('refuses truncation and a wrong or missing AAD', () => {
    const cipher = new EnvelopeCipher(ring());
    const sealed = cipher.seal(Buffer.from('payload'), aad);
    expect(failure(() => cipher.open(sealed.subarray(0, sealed.length - 1), aad))).toBe('tampered');
    expect(failure(() => cipher.open(sealed.subarray(0, 20), aad))).toBe('malformed');
    expect(failure(() => cipher.open(Buffer.alloc(0)))).toBe('malformed');
    expect(failure(() => cipher.open(sealed, Buffer.from('pdme.dns-queries.v1/other')))).toBe('tampered');
    expect(failure(() => cipher.open(sealed))).toBe('tampered');
  });

  it('names an unknown key id with a typed, non-retryable error', () => {
    const sealed = new EnvelopeCipher(new Keyring(new Map([['k2', k2]]), 'k2')).seal(Buffer.from('x'));
    let caught: unknown;
    try {
      new EnvelopeCipher(ring()).open(sealed);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvelopeError);
    const error = caught as EnvelopeError;
    expect(error.reason).toBe('unknown_key');
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ reason: 'unknown_key', keyId: 'k2' });
  });

  it('refuses a payload sealed under a same-named but different key', () => {
    const other = new EnvelopeCipher(new Keyring(new Map([['k1', k2]]), 'k1'));
    expect(failure(() => new EnvelopeCipher(ring()).open(other.seal(Buffer.from('x'))))).toBe('tampered');
  });

  it('rotates without downtime: k1 data opens after k2 becomes active, new seals use k2', () => {
    const cipher = new EnvelopeCipher(ring());
    const old = cipher.seal(Buffer.from('sealed under k1'), aad);
    cipher.useKeyring(cipher.keyring.withKey('k2', k2)); // readers first
    expect(sealedKeyId(cipher.seal(Buffer.from('y')))).toBe('k1'); // writers unchanged so far
    cipher.useKeyring(cipher.keyring.withActive('k2'));
    const fresh = cipher.seal(Buffer.from('sealed under k2'), aad);
    expect(sealedKeyId(fresh)).toBe('k2');
    expect(cipher.open(old, aad).toString()).toBe('sealed under k1');
    expect(cipher.open(fresh, aad).toString()).toBe('sealed under k2');

    // A reader that has not reloaded yet still opens k1 data, but not k2 data: hence readers first.
    expect(failure(() => new EnvelopeCipher(ring()).open(fresh, aad))).toBe('unknown_key');

    const resealed = cipher.reseal(old, aad);
    expect(resealed).toBeDefined();
    expect(cipher.reseal(fresh, aad)).toBeUndefined();
    cipher.useKeyring(cipher.keyring.without('k1'));
    expect(cipher.open(resealed ?? Buffer.alloc(0), aad).toString()).toBe('sealed under k1');
    expect(failure(() => cipher.open(old, aad))).toBe('unknown_key');
  });

  it('property: random plaintexts and AADs round-trip', () => {
    const cipher = new EnvelopeCipher(ring());
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 4096 }),
        fc.option(fc.uint8Array({ maxLength: 64 })),
        (plain, extra) => {
          const context = extra ?? undefined;
          expect(cipher.open(cipher.seal(plain, context), context)).toEqual(Buffer.from(plain));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: random mutations (flips, truncations, insertions) never open', () => {
    const cipher = new EnvelopeCipher(ring().withKey('k2', k2));
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (plain, edits) => {
          let sealed = cipher.seal(plain, aad);
          const original = Buffer.from(sealed);
          for (const edit of edits) {
            const at = sealed.length === 0 ? 0 : edit.at % sealed.length;
            if (edit.kind === 'flip' && sealed.length > 0) {
              sealed = Buffer.from(sealed);
              sealed[at] = (sealed[at] ?? 0) ^ edit.bits;
            } else if (edit.kind === 'cut') {
              sealed = sealed.subarray(0, at);
            } else if (edit.kind === 'insert') {
              sealed = Buffer.concat([sealed.subarray(0, at), Buffer.from([edit.byte]), sealed.subarray(at)]);
            }
          }
          fc.pre(!sealed.equals(original)); // flips can cancel out
          expect(failure(() => cipher.open(sealed, aad))).not.toBe('opened');
        },
      ),
      { numRuns: 1000 },
    );
  });
});
