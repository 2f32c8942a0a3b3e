import { describe, expect, it } from 'vitest';
import { parseBindQueryLine } from './bindQueryLog.js';

const utc = { timeZone: 'utc' } as const;
const T = Date.UTC(2018, 2, 24, 17, 15, 20, 865);

describe('parseBindQueryLine', () => {
  it('reads the 9.16+ line with client object, hint and flags', () => {
    const outcome = parseBindQueryLine(
      '24-Mar-2018 17:15:20.865 client @0x7f0c1c0a1b68 192.0.2.1#53000 (A.Example.): query: A.Example. IN A +E(0)K (192.0.2.53)',
      utc,
    );
    expect(outcome).toEqual({
      kind: 'ok',
      value: { tsMs: T, qname: 'A.Example.', qtype: 'A', clientAddress: '192.0.2.1', ecsAddress: undefined },
    });
  });

  it('reads lines without @0x, with a view, category and severity, IPv6 and ECS', () => {
    const outcome = parseBindQueryLine(
      '24-Mar-2018 17:15:20.865 queries: info: client 2001:db8::7#4242 (v.example): view c2: query: v.example IN HTTPS -EDC (2001:db8::53) [ECS 198.51.100.0/24/0]',
      utc,
    );
    expect(outcome.kind === 'ok' && outcome.value).toMatchObject({
      clientAddress: '2001:db8::7',
      qtype: 'HTTPS',
      ecsAddress: '198.51.100.0',
    });
  });

  it('reads BIND 9.9 lines with no hint, and ISO 8601 times with their offset', () => {
    const outcome = parseBindQueryLine(
      '2018-03-24T19:15:20.865+02:00 client 192.0.2.1#53000: query: a.example IN AAAA + (192.0.2.53)',
      { timeZone: 'local' },
    );
    expect(outcome.kind === 'ok' && outcome.value.tsMs).toBe(T);
  });

  it('reads the default time in local time when asked', () => {
    const outcome = parseBindQueryLine(
      '24-Mar-2018 17:15:20.865 client 192.0.2.1#1 (a): query: a IN A + (b)',
      { timeZone: 'local' },
    );
    expect(outcome.kind === 'ok' && outcome.value.tsMs).toBe(
      new Date(2018, 2, 24, 17, 15, 20, 865).getTime(),
    );
  });

  it.each([
    ['', 'empty'],
    ['24-Mar-2018 17:15:20.865 general: info: zone loaded', 'not-a-query'],
    ['Mar 24 17:15:20 ns1 named[1]: client 192.0.2.1#1 (a): query: a IN A + (b)', 'bad-time'],
    ['31-Feb-2018 17:15:20.865 client 192.0.2.1#1 (a): query: a IN A + (b)', 'bad-time'],
    ['24-Mar-2018 17:15:20.865 client 192.0.2.300#1 (a): query: a IN A + (b)', 'bad-address'],
    ['24-Mar-2018 17:15:20.865 client 192.0.2.1#70000 (a): query: a IN A + (b)', 'bad-port'],
    [
      '24-Mar-2018 17:15:20.865 client 192.0.2.1#1 (a): query: version.bind CH TXT + (b)',
      'unsupported-class',
    ],
    ['24-Mar-2018 17:15:20.865 client 192.0.2.1#1 (a): query: a..b IN A + (b)', 'bad-name'],
    ['24-Mar-2018 17:15:20.865 client 192.0.2.1#1 (a): query: a IN a+b + (b)', 'bad-type'],
    ['24-Mar-2018 17:15:20.865 client 192.0.2.1#1 (a): query: a IN A', 'malformed'],
  ])('rejects %j as %s', (line, reason) => {
    const outcome = parseBindQueryLine(line, utc);
    expect(outcome.kind === 'fail' && outcome.reason).toBe(reason);
  });
});
