import { describe, expect, it } from 'vitest';
import { redactedFramePayload, redactLine } from './deadLetterPayload.js';

describe('redactLine', () => {
  it('masks IPv4 and IPv6 addresses and keeps times and names', () => {
    expect(
      redactLine(
        '24-Mar-2018 17:15:20.865 client 192.0.2.1#53 (a): query: a IN A + (2001:db8::53) [ECS ::ffff:1.2.3.0/24/0] fe80::1%eth0#5',
      ),
    ).toBe(
      '24-Mar-2018 17:15:20.865 client [addr]#53 (a): query: a IN A + ([addr]) [ECS [addr]/24/0] [addr]#5',
    );
  });

  it('leaves version numbers and non-addresses alone', () => {
    expect(redactLine('v1.2.3 999.1.1.1 10:15:30 dead:beef')).toBe('v1.2.3 999.1.1.1 10:15:30 dead:beef');
  });

  it('replaces a binary frame by its length and digest', () => {
    const text = redactedFramePayload(Buffer.from([192, 0, 2, 1])).toString();
    expect(text).toMatch(/^dnstap frame withheld .*: 4 bytes, sha256 [0-9a-f]{64}$/);
  });
});
