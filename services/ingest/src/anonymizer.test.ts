import { describe, expect, it } from 'vitest';
import { Anonymizer } from './anonymizer.js';

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
