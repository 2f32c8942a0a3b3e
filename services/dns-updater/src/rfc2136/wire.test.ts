import { describe, expect, it } from 'vitest';

import {
  WireFormatError,
  encodeName,
  encodeRecord,
  isInZone,
  namesEqual,
  nameToLabels,
  normalizeName,
  parseMessage,
  readHeader,
  readName,
  u48,
  writeHeader,
} from './wire.js';

describe('names', () => {
  it('encodes with and without trailing dot, root, escapes', () => {
    expect(encodeName('www.Test.pdme').toString('hex')).toBe('0377777704546573740470646d6500');
    expect(encodeName('www.Test.pdme.')).toEqual(encodeName('www.Test.pdme'));
    expect(encodeName('.')).toEqual(Buffer.from([0]));
    expect(encodeName('')).toEqual(Buffer.from([0]));
    expect(encodeName('a\\.b.c')).toEqual(Buffer.from('03612e620163' + '00', 'hex'));
    expect(encodeName('\\065\\\\.x')).toEqual(Buffer.from('02415c017800', 'hex'));
  });

  it('lower-cases ASCII in canonical form only', () => {
    expect(encodeName('HMAC-SHA256.', { canonical: true }).toString('latin1')).toContain('hmac-sha256');
    expect(encodeName('ABC').toString('latin1')).toContain('ABC');
    expect(namesEqual('WWW.test.PDME.', 'www.test.pdme')).toBe(true);
    expect(namesEqual('www.test.pdme', 'ww.test.pdme')).toBe(false);
  });

  it('rejects empty, over-long labels and names', () => {
    expect(() => encodeName('a..b')).toThrow(WireFormatError);
    expect(() => encodeName('.a')).toThrow(WireFormatError);
    expect(() => encodeName(`${'x'.repeat(64)}.pdme`)).toThrow(/63/);
    expect(() => encodeName(`${'x'.repeat(63)}.pdme`)).not.toThrow();
    const long = Array.from({ length: 5 }, () => 'y'.repeat(60)).join('.');
    expect(() => encodeName(long)).toThrow(/255/);
    expect(() => encodeName('a\\')).toThrow(/backslash/);
    expect(() => encodeName('a\\300')).toThrow(/escape/);
  });

  it('normalises and checks zone membership case-insensitively', () => {
    expect(normalizeName('WWW.Test.pdme.')).toBe('WWW.Test.pdme');
    expect(normalizeName('a\\.b.c')).toBe('a\\.b.c');
    expect(nameToLabels('a.b').map((l) => l.toString())).toEqual(['a', 'b']);
    expect(isInZone('www.TEST.pdme', 'test.pdme.')).toBe(true);
    expect(isInZone('test.pdme', 'test.pdme')).toBe(true);
    expect(isInZone('xtest.pdme', 'test.pdme')).toBe(false);
    expect(isInZone('pdme', 'test.pdme')).toBe(false);
    expect(isInZone('anything', '.')).toBe(true);
  });

  it('reads compressed names and refuses pointer loops and forward pointers', () => {
    // header (12 bytes of zero) + "test.pdme" at 12 + "www" + pointer to 12
    const msg = Buffer.concat([
      Buffer.alloc(12),
      encodeName('test.pdme'),
      Buffer.from('03777777c00c', 'hex'),
    ]);
    const second = 12 + encodeName('test.pdme').length;
    expect(readName(msg, second)).toMatchObject({ name: 'www.test.pdme', next: second + 6 });
    const loop = Buffer.concat([Buffer.alloc(12), Buffer.from('c00c', 'hex')]);
    expect(() => readName(loop, 12)).toThrow(/forward|loop/);
    expect(() => readName(Buffer.from('0361', 'hex'), 0)).toThrow(WireFormatError);
  });
});

describe('header and records', () => {
  it('round-trips the header', () => {
    const h = writeHeader({
      id: 0xabcd,
      opcode: 5,
      qr: true,
      rcode: 9,
      qdcount: 1,
      ancount: 2,
      nscount: 3,
      arcount: 4,
    });
    expect(readHeader(h)).toEqual({
      id: 0xabcd,
      qr: true,
      opcode: 5,
      aa: false,
      tc: false,
      rd: false,
      ra: false,
      rcode: 9,
      qdcount: 1,
      ancount: 2,
      nscount: 3,
      arcount: 4,
    });
    expect(() => readHeader(Buffer.alloc(11))).toThrow(WireFormatError);
  });

  it('parses sections and bounds-checks RDATA', () => {
    const rr = encodeRecord('a.test.pdme', 1, 1, 60, Buffer.from([192, 0, 2, 1]));
    const msg = Buffer.concat([
      writeHeader({ id: 1, opcode: 0, qdcount: 1, ancount: 1, nscount: 0, arcount: 0 }),
      encodeName('a.test.pdme'),
      Buffer.from('00010001', 'hex'),
      rr,
    ]);
    const parsed = parseMessage(msg);
    expect(parsed.questions).toEqual([{ name: 'a.test.pdme', type: 1, klass: 1 }]);
    expect(parsed.answers[0]).toMatchObject({ name: 'a.test.pdme', type: 1, klass: 1, ttl: 60 });
    expect(parsed.answers[0]?.rdata).toEqual(Buffer.from([192, 0, 2, 1]));
    expect(() => parseMessage(msg.subarray(0, msg.length - 1))).toThrow(/RDATA/);
  });

  it('writes 48-bit integers', () => {
    expect(u48(0x0102_0304_0506).toString('hex')).toBe('010203040506');
    expect(() => u48(2 ** 48)).toThrow(WireFormatError);
    expect(() => u48(-1)).toThrow(WireFormatError);
  });
});
