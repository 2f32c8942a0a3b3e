import { dnstap } from '@pdme/common/proto';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDnstap, type DecodeFailure, type DnstapQuery } from './dnstapDecode.js';

const { Dnstap, Dnstap_Type, Message_Type, SocketFamily, SocketProtocol } = dnstap;

const TS_SEC = 1_700_000_000;

function query(name: string, type: dnsPacket.RecordType = 'A', additionals: dnsPacket.Answer[] = []): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type }],
    additionals,
  });
}

function opt(options: dnsPacket.PacketOpt[]): dnsPacket.Answer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: 1232,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options,
  };
}

function tap(message: Partial<dnstap.Message>, extra: Partial<dnstap.Dnstap> = {}): Uint8Array {
  return Dnstap.encode({
    type: Dnstap_Type.MESSAGE,
    message: {
      type: Message_Type.CLIENT_QUERY,
      socketFamily: SocketFamily.INET,
      socketProtocol: SocketProtocol.UDP,
      queryAddress: Buffer.from([192, 0, 2, 10]),
      queryPort: 53000,
      queryTimeSec: TS_SEC,
      queryTimeNsec: 123_456_789,
      queryMessage: query('WWW.Example.COM'),
      ...message,
    },
    ...extra,
  }).finish();
}

function ok(result: DnstapQuery | DecodeFailure): DnstapQuery {
  if (!result.ok) throw new Error(`expected a query, got ${result.reason} ${result.detail ?? ''}`);
  return result;
}

function reason(result: DnstapQuery | DecodeFailure): string {
  return result.ok ? 'ok' : result.reason;
}

describe('decodeDnstap', () => {
  it('decodes a CLIENT_QUERY over IPv4/UDP', () => {
    expect(decodeDnstap(tap({}, { identity: Buffer.from('ns1.example') }))).toEqual({
      ok: true,
      tsMs: TS_SEC * 1000 + 123,
      qname: 'www.example.com',
      qtype: 'A',
      clientAddress: '192.0.2.10',
      clientPort: 53000,
      transport: 'udp',
      messageType: 'CLIENT_QUERY',
      identity: 'ns1.example',
    });
  });

  it('decodes an AUTH_QUERY over IPv6/TCP with an AAAA question', () => {
    const address = Buffer.from('20010db8000000000000000000000053', 'hex');
    const result = ok(
      decodeDnstap(
        tap({
          type: Message_Type.AUTH_QUERY,
          socketFamily: SocketFamily.INET6,
          socketProtocol: SocketProtocol.TCP,
          queryAddress: address,
          queryMessage: query('cdn.example.net.', 'AAAA'),
        }),
      ),
    );
    expect(result).toMatchObject({
      clientAddress: '2001:db8::53',
      transport: 'tcp',
      qtype: 'AAAA',
      qname: 'cdn.example.net',
      messageType: 'AUTH_QUERY',
    });
    expect(result.identity).toBeUndefined();
    expect(result.ecs).toBeUndefined();
  });

  it('extracts an IPv4 ECS option, masking bits beyond the source prefix', () => {
    const ecs: dnsPacket.PacketOpt = {
      code: 8,
      family: 1,
      sourcePrefixLength: 20,
      scopePrefixLength: 0,
      ip: '198.51.100.77',
    };
    const result = ok(decodeDnstap(tap({ queryMessage: query('a.example', 'A', [opt([ecs])]) })));
    expect(result.ecs).toEqual({ family: 'ipv4', sourcePrefixLength: 20, address: '198.51.96.0' });
  });

  it('extracts an IPv6 ECS option next to other EDNS options', () => {
    const options: dnsPacket.PacketOpt[] = [
      { code: 12, length: 8 },
      { code: 8, family: 2, sourcePrefixLength: 56, scopePrefixLength: 0, ip: '2001:db8:abcd:12ff::' },
    ];
    const result = ok(decodeDnstap(tap({ queryMessage: query('a.example', 'A', [opt(options)]) })));
    expect(result.ecs).toEqual({ family: 'ipv6', sourcePrefixLength: 56, address: '2001:db8:abcd:1200::' });
  });

  it.each([
    ['unknown family', Buffer.from([0, 3, 8, 0, 1])],
    ['prefix longer than the family allows', Buffer.from([0, 1, 33, 0, 1, 2, 3, 4, 5])],
    ['address length not matching the prefix', Buffer.from([0, 1, 24, 0, 1, 2])],
  ])('ignores a malformed ECS option (%s) but keeps the query', (_name, data) => {
    const option: dnsPacket.PacketOpt = { code: 8, data, ip: undefined };
    const result = ok(decodeDnstap(tap({ queryMessage: query('a.example', 'A', [opt([option])]) })));
    expect(result.ecs).toBeUndefined();
  });

  it('takes the question from response_message when a response has no query_message', () => {
    const response = dnsPacket.encode({
      type: 'response',
      id: 1,
      questions: [{ name: 'video.example', type: 'CNAME' }],
      answers: [{ type: 'CNAME', name: 'video.example', ttl: 60, data: 'edge.cdn.example' }],
    });
    const result = ok(
      decodeDnstap(
        tap({
          type: Message_Type.CLIENT_RESPONSE,
          queryMessage: undefined,
          responseMessage: response,
          queryTimeSec: undefined,
          queryTimeNsec: undefined,
          responseTimeSec: TS_SEC + 1,
          responseTimeNsec: 999_999_999,
        }),
      ),
    );
    expect(result).toMatchObject({ qname: 'video.example', qtype: 'CNAME', tsMs: (TS_SEC + 1) * 1000 + 999 });
    expect(result.messageType).toBe('CLIENT_RESPONSE');
  });

  it('names the types dns-packet does not know', () => {
    const https = query('a.example');
    https.writeUInt16BE(65, https.length - 4);
    expect(ok(decodeDnstap(tap({ queryMessage: https }))).qtype).toBe('HTTPS');
    https.writeUInt16BE(4000, https.length - 4);
    expect(ok(decodeDnstap(tap({ queryMessage: https }))).qtype).toBe('TYPE4000');
  });

  it('keeps the root name as "." and leaves non-ASCII labels alone except for ASCII case', () => {
    expect(ok(decodeDnstap(tap({ queryMessage: query('.', 'NS') }))).qname).toBe('.');
    expect(ok(decodeDnstap(tap({ queryMessage: query('XN--Bcher-kva.Example') }))).qname).toBe(
      'xn--bcher-kva.example',
    );
    expect(ok(decodeDnstap(tap({ queryMessage: query('ÄB.example') }))).qname).toBe('Äb.example');
  });

  it('honours a message type filter', () => {
    const responses = new Set(['CLIENT_RESPONSE'] as const);
    expect(reason(decodeDnstap(tap({}), { messageTypes: responses }))).toBe('unsupported-type');
  });

  it('returns IPv4-mapped client addresses as IPv4', () => {
    const mapped = Buffer.from('00000000000000000000ffffc0000201', 'hex');
    const result = ok(decodeDnstap(tap({ socketFamily: SocketFamily.INET6, queryAddress: mapped })));
    expect(result.clientAddress).toBe('192.0.2.1');
  });

  const maxLabel = 'a'.repeat(63);
  const name253 = [maxLabel, maxLabel, maxLabel, 'b'.repeat(61)].join('.');

  it.each<[string, Uint8Array, string]>([
    ['garbage protobuf', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), 'protobuf'],
    ['an empty payload', new Uint8Array(0), 'not-a-message'],
    ['a Dnstap of another type', Dnstap.encode({ type: 2 as dnstap.Dnstap_Type }).finish(), 'not-a-message'],
    ['a RESOLVER_QUERY', tap({ type: Message_Type.RESOLVER_QUERY }), 'unsupported-type'],
    ['an unknown message type', tap({ type: 99 as dnstap.Message_Type }), 'unsupported-type'],
    ['a query without query_message', tap({ queryMessage: undefined }), 'no-dns-message'],
    [
      'a query with only a response_message',
      tap({ queryMessage: undefined, responseMessage: query('a.example') }),
      'no-dns-message',
    ],
    ['a truncated DNS message', tap({ queryMessage: query('www.example.com').subarray(0, 20) }), 'dns-wire'],
    [
      'a DNS message with a bad label',
      tap({ queryMessage: Buffer.from('000100000001000000000000' + '4161000001' + '0001', 'hex') }),
      'dns-wire',
    ],
    [
      'a header claiming more records than fit',
      tap({ queryMessage: Buffer.from('0001000000010000ffff00000000', 'hex') }),
      'dns-wire',
    ],
    [
      'a DNS message without a question',
      tap({ queryMessage: dnsPacket.encode({ type: 'query', id: 1 }) }),
      'no-question',
    ],
    ['a 254-character name', tap({ queryMessage: query(`${name253}b`) }), 'name-too-long'],
    ['a 4-byte address with family INET6', tap({ socketFamily: SocketFamily.INET6 }), 'bad-address'],
    ['a 16-byte address with family INET', tap({ queryAddress: Buffer.alloc(16, 1) }), 'bad-address'],
    ['no query_address', tap({ queryAddress: undefined }), 'bad-address'],
    ['no query time', tap({ queryTimeSec: undefined }), 'bad-time'],
    ['nanoseconds out of range', tap({ queryTimeNsec: 1_000_000_000 }), 'bad-time'],
  ])('rejects %s', (_name, payload, expected) => {
    expect(reason(decodeDnstap(payload))).toBe(expected);
  });

  it('accepts a 253-character name', () => {
    expect(ok(decodeDnstap(tap({ queryMessage: query(name253) }))).qname).toHaveLength(253);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const result = decodeDnstap(bytes);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.reason).toMatch(/^[a-z-]+$/);
      }),
      { numRuns: 20_000 },
    );
  }, 30_000);

  it('never throws on valid envelopes around random DNS bytes', () => {
    // Garbage at the DNS layer is the likelier real-world case: the protobuf comes from BIND intact.
    // Half the messages get small plausible section counts so parsing goes past the header.
    const header = fc
      .tuple(fc.nat(2), fc.nat(3), fc.nat(2), fc.nat(3), fc.uint8Array({ minLength: 4, maxLength: 4 }))
      .map(([qd, an, ns, ar, idFlags]) => {
        const out = Buffer.alloc(12);
        out.set(idFlags);
        [qd, an, ns, ar].forEach((count, i) => out.writeUInt16BE(count, 4 + i * 2));
        return out;
      });
    const dns = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.tuple(header, fc.uint8Array({ maxLength: 300 })).map(([h, body]) => Buffer.concat([h, body])),
    );
    fc.assert(
      fc.property(dns, fc.boolean(), (bytes, response) => {
        const payload = tap(
          response
            ? { type: Message_Type.CLIENT_RESPONSE, queryMessage: undefined, responseMessage: bytes }
            : { queryMessage: bytes },
        );
        const result = decodeDnstap(payload);
        if (result.ok) expect(result.qname.length).toBeLessThanOrEqual(253);
        else expect(['no-dns-message', 'dns-wire', 'no-question', 'name-too-long']).toContain(result.reason);
      }),
      { numRuns: 10_000 },
    );
  }, 30_000);

  it('never throws on mutated valid payloads', () => {
    const base = tap({
      queryMessage: query('www.example.com', 'A', [
        opt([{ code: 8, family: 1, sourcePrefixLength: 24, ip: '192.0.2.0' }]),
      ]),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const bytes = Uint8Array.from(base);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const result = decodeDnstap(bytes);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 10_000 },
    );
  }, 30_000);
});
