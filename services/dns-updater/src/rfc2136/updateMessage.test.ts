import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';

import {
  buildUpdateMessage,
  describePrerequisite,
  encodePrerequisite,
  encodeRdata,
  encodeUpdateOperation,
  randomMessageId,
} from './updateMessage.js';
import { DNS_CLASS, DNS_TYPE, WireFormatError, encodeName, parseMessage, readHeader } from './wire.js';

const ZONE = 'test.pdme';
const WWW = encodeName('www.test.pdme').toString('hex');

/** owner | type | class | ttl | rdlength | rdata, in hex. */
const rr = (owner: string, type: number, klass: number, ttl: number, rdata = ''): string =>
  encodeName(owner).toString('hex') +
  type.toString(16).padStart(4, '0') +
  klass.toString(16).padStart(4, '0') +
  ttl.toString(16).padStart(8, '0') +
  (rdata.length / 2).toString(16).padStart(4, '0') +
  rdata;

describe('dns-packet limitations (why UPDATE framing is ours)', () => {
  it('has no class NONE and cannot encode typed RRs with empty RDATA', () => {
    // @ts-expect-error 'NONE' is not a RecordClass in dns-packet, and at runtime it silently becomes 0.
    const wire = dnsPacket.encode({ answers: [{ name: 'x', type: 'A', class: 'NONE', data: '192.0.2.1' }] });
    expect(wire.readUInt16BE(12 + 3 + 2)).toBe(0);
    // @ts-expect-error data is mandatory for CNAME; an UPDATE "delete RRset" has none.
    expect(() => dnsPacket.encode({ answers: [{ name: 'x', type: 'CNAME', class: 'ANY' }] })).toThrow();
  });
});

describe('RDATA', () => {
  it('encodes the supported types', () => {
    expect(encodeRdata({ type: 'A', data: '192.0.2.1' }).toString('hex')).toBe('c0000201');
    expect(encodeRdata({ type: 'AAAA', data: '2001:db8::1' }).toString('hex')).toBe(
      '20010db8000000000000000000000001',
    );
    expect(encodeRdata({ type: 'CNAME', data: 'edge1.cdn.example.' })).toEqual(
      encodeName('edge1.cdn.example'),
    );
    expect(encodeRdata({ type: 'TXT', data: 'owner=pdme' }).toString()).toBe('\x0aowner=pdme');
    expect(encodeRdata({ type: 'TXT', data: ['a', 'bc'] }).toString('hex')).toBe('0161026263');
    expect(
      encodeRdata({ type: 'MX', data: { preference: 10, exchange: 'mx.example' } }).toString('hex'),
    ).toBe('000a' + encodeName('mx.example').toString('hex'));
    expect(
      encodeRdata({ type: 'SRV', data: { priority: 1, weight: 2, port: 443, target: 'e.example' } }).toString(
        'hex',
      ),
    ).toBe('0001000201bb' + encodeName('e.example').toString('hex'));
  });

  it('validates input instead of encoding garbage', () => {
    expect(() => encodeRdata({ type: 'A', data: '2001:db8::1' })).toThrow(WireFormatError);
    expect(() => encodeRdata({ type: 'AAAA', data: '192.0.2.1' })).toThrow(WireFormatError);
    expect(() => encodeRdata({ type: 'TXT', data: 'x'.repeat(256) })).toThrow(/255/);
    expect(() => encodeRdata({ type: 'TXT', data: [] })).toThrow(WireFormatError);
    expect(() => encodeRdata({ type: 'CNAME', data: 'a..b' })).toThrow(WireFormatError);
    expect(() =>
      encodeRdata({ type: 'SRV', data: { priority: 1, weight: 2, port: 70000, target: 'x' } }),
    ).toThrow();
  });
});

describe('prerequisites (RFC 2136 §2.4)', () => {
  it('uses the class/type/TTL/RDATA combinations of the RFC table', () => {
    const hex = (p: Parameters<typeof encodePrerequisite>[0]): string[] =>
      encodePrerequisite(p, ZONE).map((b) => b.toString('hex'));
    expect(hex({ kind: 'nameInUse', name: 'www.test.pdme' })).toEqual([
      rr('www.test.pdme', DNS_TYPE.ANY, DNS_CLASS.ANY, 0),
    ]);
    expect(hex({ kind: 'nameNotInUse', name: 'www.test.pdme' })).toEqual([
      rr('www.test.pdme', DNS_TYPE.ANY, DNS_CLASS.NONE, 0),
    ]);
    expect(hex({ kind: 'rrsetExists', name: 'www.test.pdme', type: 'CNAME' })).toEqual([
      rr('www.test.pdme', DNS_TYPE.CNAME, DNS_CLASS.ANY, 0),
    ]);
    expect(hex({ kind: 'rrsetNotExists', name: 'www.test.pdme', type: 'TXT' })).toEqual([
      rr('www.test.pdme', DNS_TYPE.TXT, DNS_CLASS.NONE, 0),
    ]);
    expect(
      hex({
        kind: 'rrsetExistsValue',
        name: '_pdme.www.test.pdme',
        records: [
          { type: 'TXT', data: 'a' },
          { type: 'TXT', data: 'b' },
        ],
      }),
    ).toEqual([
      rr('_pdme.www.test.pdme', DNS_TYPE.TXT, DNS_CLASS.IN, 0, '0161'),
      rr('_pdme.www.test.pdme', DNS_TYPE.TXT, DNS_CLASS.IN, 0, '0162'),
    ]);
  });

  it('rejects empty or mixed-type value-dependent prerequisites and names outside the zone', () => {
    expect(() =>
      encodePrerequisite({ kind: 'rrsetExistsValue', name: 'a.test.pdme', records: [] }, ZONE),
    ).toThrow();
    expect(() =>
      encodePrerequisite(
        {
          kind: 'rrsetExistsValue',
          name: 'a.test.pdme',
          records: [
            { type: 'TXT', data: 'a' },
            { type: 'A', data: '192.0.2.1' },
          ],
        },
        ZONE,
      ),
    ).toThrow(/same type/);
    expect(() => encodePrerequisite({ kind: 'nameInUse', name: 'www.other.pdme' }, ZONE)).toThrow(
      /not in zone/,
    );
  });
});

describe('updates (RFC 2136 §2.5)', () => {
  it('uses the class/type/TTL/RDATA combinations of the RFC', () => {
    const hex = (u: Parameters<typeof encodeUpdateOperation>[0]): string =>
      encodeUpdateOperation(u, ZONE).toString('hex');
    const cname = encodeName('edge1.cdn.example').toString('hex');
    expect(
      hex({
        kind: 'add',
        record: { name: 'www.test.pdme', type: 'CNAME', ttl: 60, data: 'edge1.cdn.example' },
      }),
    ).toBe(rr('www.test.pdme', DNS_TYPE.CNAME, DNS_CLASS.IN, 60, cname));
    expect(hex({ kind: 'deleteRRset', name: 'www.test.pdme', type: 'CNAME' })).toBe(
      rr('www.test.pdme', DNS_TYPE.CNAME, DNS_CLASS.ANY, 0),
    );
    expect(hex({ kind: 'deleteName', name: 'www.test.pdme' })).toBe(
      rr('www.test.pdme', DNS_TYPE.ANY, DNS_CLASS.ANY, 0),
    );
    expect(
      hex({
        kind: 'deleteRecord',
        record: { name: 'www.test.pdme', type: 'CNAME', data: 'edge1.cdn.example' },
      }),
    ).toBe(rr('www.test.pdme', DNS_TYPE.CNAME, DNS_CLASS.NONE, 0, cname));
  });

  it('rejects bad TTLs and names outside the zone', () => {
    const add =
      (ttl: number, name = 'a.test.pdme') =>
      () =>
        encodeUpdateOperation({ kind: 'add', record: { name, type: 'A', ttl, data: '192.0.2.1' } }, ZONE);
    expect(add(-1)).toThrow(/TTL/);
    expect(add(1.5)).toThrow(/TTL/);
    expect(add(2 ** 31)).toThrow(/TTL/);
    expect(add(60, 'a.test.pdme.evil')).toThrow(/not in zone/);
    expect(add(60, 'A.TEST.PDME.')).not.toThrow();
  });
});

describe('buildUpdateMessage', () => {
  it('builds header, zone section and sections in order, several changes in one message', () => {
    const wire = buildUpdateMessage(
      {
        zone: 'test.pdme.',
        prerequisites: [{ kind: 'nameNotInUse', name: 'www.test.pdme' }],
        updates: [
          {
            kind: 'add',
            record: { name: 'www.test.pdme', type: 'CNAME', ttl: 60, data: 'edge1.cdn.example' },
          },
          { kind: 'add', record: { name: '_pdme.www.test.pdme', type: 'TXT', ttl: 60, data: 'owner=pdme' } },
        ],
      },
      0x1234,
    );
    expect(wire.subarray(0, 12).toString('hex')).toBe('1234' + '2800' + '0001' + '0001' + '0002' + '0000');
    expect(readHeader(wire)).toMatchObject({ id: 0x1234, qr: false, opcode: 5, rcode: 0 });
    const zoneSection = encodeName('test.pdme').toString('hex') + '0006' + '0001';
    expect(wire.subarray(12, 12 + zoneSection.length / 2).toString('hex')).toBe(zoneSection);
    const parsed = parseMessage(wire);
    expect(parsed.questions).toEqual([{ name: 'test.pdme', type: DNS_TYPE.SOA, klass: DNS_CLASS.IN }]);
    expect(parsed.answers.map((r) => [r.name, r.type, r.klass])).toEqual([['www.test.pdme', 255, 254]]);
    expect(parsed.authorities.map((r) => [r.name, r.type, r.klass, r.ttl])).toEqual([
      ['www.test.pdme', 5, 1, 60],
      ['_pdme.www.test.pdme', 16, 1, 60],
    ]);
    expect(wire.toString('hex')).toContain(WWW);
  });

  it('uses random 16-bit ids', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => randomMessageId()));
    expect([...ids].every((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff)).toBe(true);
    expect(ids.size).toBeGreaterThan(1900);
    const a = buildUpdateMessage({ zone: ZONE, updates: [] });
    expect(readHeader(a).nscount).toBe(0);
  });

  it('refuses messages that do not fit 65535 bytes', () => {
    const updates = Array.from({ length: 700 }, (_, i) => ({
      kind: 'add' as const,
      record: { name: `n${i}.test.pdme`, type: 'TXT' as const, ttl: 60, data: 'x'.repeat(100) },
    }));
    expect(() => buildUpdateMessage({ zone: ZONE, updates })).toThrow(/65535/);
  });

  it('describes prerequisites for error messages', () => {
    expect(describePrerequisite({ kind: 'nameNotInUse', name: 'www.test.pdme' })).toBe(
      'name www.test.pdme not in use',
    );
    expect(
      describePrerequisite({
        kind: 'rrsetExistsValue',
        name: '_pdme.w.test.pdme',
        records: [{ type: 'TXT', data: 'o' }],
      }),
    ).toBe('_pdme.w.test.pdme TXT is exactly {"o"}');
  });
});
