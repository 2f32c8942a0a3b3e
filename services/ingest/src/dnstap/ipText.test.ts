import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipText, ipv6Text, maskPrefix } from './ipText.js';

const v6 = (text: string): Uint8Array => {
  // Expand with Node's own parser via a URL host, so the test does not reuse the code under test.
  const host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const [head = '', tail = ''] = host.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = host.includes('::')
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const value = parseInt(g, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
};

describe('ipText', () => {
  it('formats IPv4', () => {
    expect(ipText(new Uint8Array([192, 0, 2, 1]))).toBe('192.0.2.1');
  });

  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of equal runs wins
    ['FE80::ABCD', 'fe80::abcd'],
  ])('formats %s as %s (RFC 5952)', (input, expected) => {
    expect(ipText(v6(input))).toBe(expected);
  });

  it('unmaps IPv4-mapped IPv6 addresses', () => {
    expect(ipText(v6('::ffff:c000:0201'))).toBe('192.0.2.1');
  });

  it('rejects other lengths', () => {
    expect(ipText(new Uint8Array(0))).toBeUndefined();
    expect(ipText(new Uint8Array(5))).toBeUndefined();
  });

  it('produces text that Node parses back to the same address', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = ipv6Text(bytes);
        expect(isIP(text)).toBe(6);
        expect(v6(text)).toEqual(bytes);
      }),
    );
  });

  it('masks to a prefix', () => {
    expect([...maskPrefix(new Uint8Array([192, 168, 255, 255]), 20)]).toEqual([192, 168, 240, 0]);
    expect([...maskPrefix(new Uint8Array([1, 2, 3, 4]), 0)]).toEqual([0, 0, 0, 0]);
    expect([...maskPrefix(new Uint8Array([1, 2, 3, 4]), 32)]).toEqual([1, 2, 3, 4]);
  });
});
