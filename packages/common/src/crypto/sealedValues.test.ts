import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PdmeError } from '../errors/index.js';
import { EnvelopeCipher, EnvelopeError } from './envelope.js';
import { Keyring } from './keyring.js';
import { openMessage, openRedisValue, sealMessage, sealRedisValue, SEALED_HEADER } from './sealedValues.js';

const cipher = new EnvelopeCipher(new Keyring(new Map([['k1', randomBytes(32)]]), 'k1'));
const topic = 'pdme.dns-queries.v1';
const trait = 'client_hash=0f3a9c region=eu-west';

function reason(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof EnvelopeError) return error.reason;
    if (error instanceof PdmeError) return String(error.details['reason']);
    throw error;
  }
  return 'opened';
}

describe('sealed Kafka values', () => {
  it('round-trip with the header, and hide the payload', () => {
    const sealed = sealMessage(cipher, { topic, key: 'www.example', value: Buffer.from(trait) });
    expect(sealed.headers).toEqual({ [SEALED_HEADER]: '1' });
    expect(sealed.value.includes(Buffer.from('client_hash'))).toBe(false);
    const headers = { [SEALED_HEADER]: Buffer.from('1') };
    expect(
      openMessage(cipher, {
        topic,
        key: Buffer.from('www.example'),
        value: sealed.value,
        headers,
      }).toString(),
    ).toBe(trait);
  });

  it('refuse a value replayed under another message key or topic', () => {
    const sealed = sealMessage(cipher, { topic, key: 'a.example', value: Buffer.from(trait) });
    const headers = sealed.headers;
    expect(reason(() => openMessage(cipher, { topic, key: 'b.example', value: sealed.value, headers }))).toBe(
      'tampered',
    );
    expect(
      reason(() =>
        openMessage(cipher, { topic: 'pdme.other.v1', key: 'a.example', value: sealed.value, headers }),
      ),
    ).toBe('tampered');
  });

  it('pass plaintext through in migration mode and refuse it when sealing is required', () => {
    const plain = { topic, key: null, value: Buffer.from(trait) };
    expect(openMessage(cipher, plain).toString()).toBe(trait);
    expect(reason(() => openMessage(cipher, plain, { requireSealed: true }))).toBe('not_sealed');
  });
});

describe('sealed Redis values', () => {
  it('round-trip, bind to their key, and follow the read policy', () => {
    const stored = sealRedisValue(cipher, 'pdme:config', '{"version":3}');
    expect(stored.startsWith('pdme-enc1:')).toBe(true);
    expect(stored).not.toContain('version');
    expect(openRedisValue(cipher, 'pdme:config', stored)).toBe('{"version":3}');
    expect(reason(() => openRedisValue(cipher, 'pdme:config:other', stored))).toBe('tampered');
    expect(openRedisValue(cipher, 'pdme:config', '{"version":2}')).toBe('{"version":2}');
    expect(
      reason(() => openRedisValue(cipher, 'pdme:config', '{"version":2}', { requireSealed: true })),
    ).toBe('not_sealed');
  });
});
