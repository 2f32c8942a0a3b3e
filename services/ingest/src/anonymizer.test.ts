import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Anonymizer, dottedQuadValue } from './anonymizer.js';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');
const options = { ipv4PrefixLength: 24, ipv6PrefixLength: 48, keyRotationMs: 3_600_000, secret };

describe('Anonymizer', () => {
  it('maps addresses of one /24 to one hash that does not contain the address', () => {
    const anon = new Anonymizer(options);
    const a = anon.anonymize('192.0.2.10', 0);
    const b = anon.anonymize('192.0.2.200', 0);
    expect(a.clientHash).toBe(b.clientHash);
    expect(a.clientHash).not.toContain('192');
    expect(anon.anonymize('192.0.3.10', 0).clientHash).not.toBe(a.clientHash);
  });

  it('groups IPv6 by /48', () => {
    const anon = new Anonymizer(options);
    expect(anon.anonymize('2001:db8:1:2::1', 0).clientHash).toBe(
      anon.anonymize('2001:db8:1:ff::9', 0).clientHash,
    );
  });

  it('rotates the key each epoch', () => {
    const anon = new Anonymizer(options);
    const first = anon.anonymize('192.0.2.10', 0);
    const later = anon.anonymize('192.0.2.10', 3_600_000);
    expect(later.keyEpoch).toBe(first.keyEpoch + 1);
    expect(later.clientHash).not.toBe(first.clientHash);
  });

  it('depends on the secret', () => {
    const other = new Anonymizer({ ...options, secret: Buffer.from('another-secret-of-enough-length!') });
    expect(other.anonymize('192.0.2.10', 0).clientHash).not.toBe(
      new Anonymizer(options).anonymize('192.0.2.10', 0).clientHash,
    );
  });

  it('refuses a short secret', () => {
    expect(() => new Anonymizer({ ...options, secret: Buffer.from('short') })).toThrow(/16 bytes/);
  });
});

describe('Anonymizer hashes', () => {
  const expected = (prefix: string, epoch: number): string => {
    const key = createHmac('sha256', secret).update(`pdme-anon-epoch:${epoch}`).digest();
    return createHmac('sha256', key).update(prefix).digest('hex').slice(0, 32);
  };

  it('hash the truncated dotted quad with the epoch key, for every octet-aligned prefix length', () => {
    for (const [bits, prefix] of [
      [0, '0.0.0.0'],
      [8, '192.0.0.0'],
      [16, '192.0.0.0'],
      [24, '192.0.2.0'],
      [32, '192.0.2.10'],
    ] as const) {
      const anon = new Anonymizer({ ...options, ipv4PrefixLength: bits });
      expect(anon.anonymize('192.0.2.10', 0).clientHash).toBe(expected(prefix, 0));
      expect(anon.anonymize('192.000.2.010', 3_600_000).clientHash).toBe(expected(prefix, 1));
    }
  });

  it('truncate prefixes that do not fall on an octet boundary', () => {
    const anon = new Anonymizer({ ...options, ipv4PrefixLength: 20 });
    expect(anon.anonymize('192.0.31.10', 0).clientHash).toBe(expected('192.0.16.0', 0));
  });
});

describe('dottedQuadValue', () => {
  it('reads dotted quads and refuses everything else', () => {
    expect(dottedQuadValue('192.0.2.10')).toBe(0xc000020a);
    expect(dottedQuadValue('255.255.255.255')).toBe(0xffffffff);
    expect(dottedQuadValue('0.0.0.0')).toBe(0);
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '1.2.3.256',
      '1.2.3.0004',
      '1..2.3',
      '1.2.3.4.',
      '.1.2.3',
      '1.2.3.a',
      '::1',
      ' 1.2.3.4',
    ]) {
      expect(dottedQuadValue(bad)).toBe(-1);
    }
  });
});
