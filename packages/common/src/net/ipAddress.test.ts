import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress, parseCidr, truncate, cidrContains } from './ipAddress.js';
import { PrefixMap } from './prefixMap.js';

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

describe('ip addresses', () => {
  it('truncates IPv4 to /24 and IPv6 to /48', () => {
    expect(formatAddress(truncate(must(parseAddress('192.0.2.77')), 24))).toBe('192.0.2.0');
    expect(formatAddress(truncate(must(parseAddress('2001:db8:abcd:12::1')), 48))).toBe(
      '2001:db8:abcd:0:0:0:0:0',
    );
  });

  it('parses compressed and v4-mapped IPv6', () => {
    expect(must(parseAddress('::1')).value).toBe(1n);
    expect(parseAddress('::ffff:10.1.2.3')).toEqual(parseAddress('10.1.2.3'));
    expect(formatAddress(must(parseAddress('fe80::1:2')))).toBe('fe80:0:0:0:0:0:1:2');
    expect(parseAddress('not-an-ip')).toBeUndefined();
  });

  it('matches CIDRs by family', () => {
    const cidr = must(parseCidr('10.0.0.0/8'));
    expect(cidrContains(cidr, must(parseAddress('10.200.1.1')))).toBe(true);
    expect(cidrContains(cidr, must(parseAddress('11.0.0.1')))).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });

  it('prefers the longest prefix', () => {
    const map = new PrefixMap<string>([
      ['10.0.0.0/8', 'wide'],
      ['10.1.0.0/16', 'narrow'],
      ['2001:db8::/32', 'v6'],
    ]);
    expect(map.lookup('10.1.2.3')).toBe('narrow');
    expect(map.lookup('10.9.2.3')).toBe('wide');
    expect(map.lookup('2001:db8:1::5')).toBe('v6');
    expect(map.lookup('192.0.2.1')).toBeUndefined();
  });
});
