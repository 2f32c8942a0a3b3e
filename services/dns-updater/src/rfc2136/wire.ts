/**
 * Minimal DNS wire-format helpers shared by the RFC 2136 UPDATE builder, the TSIG signer and the client.
 *
 * dns-packet cannot express what UPDATE needs (class NONE = 254 silently becomes 0, RRs with empty
 * RDATA throw for typed records, names are not validated or canonicalised), so the message framing,
 * names and raw record parsing live here; dns-packet is only used for typed RDATA (see updateMessage.ts).
 */

export const DNS_CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;

export const DNS_TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  DNAME: 39,
  OPT: 41,
  TSIG: 250,
  ANY: 255,
  CAA: 257,
} as const;

export const DNS_OPCODE = { QUERY: 0, UPDATE: 5 } as const;

export const HEADER_LENGTH = 12;
const MAX_NAME_WIRE_LENGTH = 255;
const MAX_LABEL_LENGTH = 63;
const MAX_POINTER_HOPS = 128;
/** ASCII labels of 1..63 letters, digits, '-', '_' or '*', with an optional trailing dot. */
const PLAIN_NAME = /^[A-Za-z0-9_*-]{1,63}(?:\.[A-Za-z0-9_*-]{1,63})*\.?$/;

export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/**
 * Splits a presentation-format name into raw labels. Accepts an optional trailing dot, `\.`, `\\`
 * and `\DDD` escapes. The root is `.` or the empty string. Throws on empty or over-long labels.
 */
export function nameToLabels(name: string): Buffer[] {
  if (name === '' || name === '.') return [];
  // Host names (the usual case) need no escape handling: split them directly, it is ~20x faster.
  if (PLAIN_NAME.test(name) && name.length <= MAX_NAME_WIRE_LENGTH - 2) {
    return (name.endsWith('.') ? name.slice(0, -1) : name).split('.').map((l) => Buffer.from(l, 'latin1'));
  }
  const labels: Buffer[] = [];
  let current: number[] = [];
  let i = 0;
  const flush = (): void => {
    if (current.length === 0) throw new WireFormatError(`invalid DNS name "${name}": empty label`);
    if (current.length > MAX_LABEL_LENGTH) {
      throw new WireFormatError(`invalid DNS name "${name}": label longer than ${MAX_LABEL_LENGTH} bytes`);
    }
    labels.push(Buffer.from(current));
    current = [];
  };
  while (i < name.length) {
    const ch = name[i] ?? '';
    if (ch === '.') {
      flush();
      i += 1;
      continue;
    }
    if (ch === '\\') {
      const digits = name.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(digits)) {
        const value = Number.parseInt(digits, 10);
        if (value > 255) throw new WireFormatError(`invalid DNS name "${name}": bad escape \\${digits}`);
        current.push(value);
        i += 4;
        continue;
      }
      const next = name[i + 1];
      if (next === undefined) throw new WireFormatError(`invalid DNS name "${name}": dangling backslash`);
      current.push(...Buffer.from(next, 'utf8'));
      i += 2;
      continue;
    }
    const cp = name.codePointAt(i) ?? 0;
    const chunk = String.fromCodePoint(cp);
    current.push(...Buffer.from(chunk, 'utf8'));
    i += chunk.length;
  }
  // A trailing dot leaves `current` empty; anything else is the last label.
  if (current.length > 0) flush();
  else if (!name.endsWith('.')) throw new WireFormatError(`invalid DNS name "${name}": empty label`);
  const wireLength = labels.reduce((n, l) => n + l.length + 1, 1);
  if (wireLength > MAX_NAME_WIRE_LENGTH) {
    throw new WireFormatError(
      `invalid DNS name "${name}": longer than ${MAX_NAME_WIRE_LENGTH} bytes on the wire`,
    );
  }
  return labels;
}

function lowerAscii(label: Buffer): Buffer {
  const out = Buffer.from(label);
  for (let i = 0; i < out.length; i++) {
    const b = out[i] ?? 0;
    if (b >= 0x41 && b <= 0x5a) out[i] = b + 0x20;
  }
  return out;
}

/** Uncompressed wire form. `canonical` lower-cases ASCII letters (RFC 4034 §6.2, used by TSIG). */
export function encodeName(name: string, options: { canonical?: boolean } = {}): Buffer {
  if (PLAIN_NAME.test(name) && name.length <= MAX_NAME_WIRE_LENGTH - 2) {
    // One allocation: each '.' becomes the next label's length byte.
    const text = name.endsWith('.') ? name.slice(0, -1) : name;
    const out = Buffer.allocUnsafe(text.length + 2);
    let at = 0;
    for (const label of (options.canonical === true ? text.toLowerCase() : text).split('.')) {
      out[at] = label.length;
      out.write(label, at + 1, 'latin1');
      at += label.length + 1;
    }
    out[at] = 0;
    return out;
  }
  const labels = nameToLabels(name);
  const parts: Buffer[] = [];
  for (const label of labels) {
    parts.push(Buffer.from([label.length]), options.canonical === true ? lowerAscii(label) : label);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function labelToString(label: Buffer): string {
  let out = '';
  for (const b of label) {
    if (b === 0x2e || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b > 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b.toString().padStart(3, '0')}`;
  }
  return out;
}

/** Presentation form without trailing dot (the root is "."), matching what dns-packet returns. */
export function labelsToName(labels: readonly Buffer[]): string {
  if (labels.length === 0) return '.';
  return labels.map(labelToString).join('.');
}

/** Case-insensitive (ASCII) name equality. */
export function namesEqual(a: string, b: string): boolean {
  return encodeName(a, { canonical: true }).equals(encodeName(b, { canonical: true }));
}

/** True when `name` is `zone` or below it. */
export function isInZone(name: string, zone: string): boolean {
  if (PLAIN_NAME.test(name) && PLAIN_NAME.test(zone)) {
    const n = name.toLowerCase().replace(/\.$/, '');
    const z = zone.toLowerCase().replace(/\.$/, '');
    return n === z || n.endsWith(`.${z}`);
  }
  const n = nameToLabels(name).map(lowerAscii);
  const z = nameToLabels(zone).map(lowerAscii);
  if (z.length > n.length) return false;
  const tail = n.slice(n.length - z.length);
  return tail.every((label, i) => {
    const other = z[i];
    return other !== undefined && label.equals(other);
  });
}

/** Normalised presentation form (escapes re-applied, no trailing dot). */
export function normalizeName(name: string): string {
  return labelsToName(nameToLabels(name));
}

/** Reads a possibly compressed name; `next` is the offset just after the name in the original stream. */
export function readName(buf: Buffer, offset: number): { labels: Buffer[]; name: string; next: number } {
  const labels: Buffer[] = [];
  let pos = offset;
  let next = -1;
  let hops = 0;
  let wireLength = 1;
  for (;;) {
    const len = buf[pos];
    if (len === undefined) throw new WireFormatError('name runs past end of message');
    if (len === 0) {
      pos += 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      const low = buf[pos + 1];
      if (low === undefined) throw new WireFormatError('truncated compression pointer');
      if (next < 0) next = pos + 2;
      hops += 1;
      if (hops > MAX_POINTER_HOPS) throw new WireFormatError('compression pointer loop');
      const target = ((len & 0x3f) << 8) | low;
      if (target >= pos) throw new WireFormatError('forward compression pointer');
      pos = target;
      continue;
    }
    if (kind !== 0) throw new WireFormatError(`unsupported label type 0x${kind.toString(16)}`);
    if (pos + 1 + len > buf.length) throw new WireFormatError('label runs past end of message');
    labels.push(buf.subarray(pos + 1, pos + 1 + len));
    wireLength += len + 1;
    if (wireLength > MAX_NAME_WIRE_LENGTH) throw new WireFormatError('name longer than 255 bytes');
    pos += 1 + len;
  }
  return { labels, name: labelsToName(labels), next: next < 0 ? pos : next };
}

// ---------------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------------

export interface MessageHeader {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** The 4-bit header RCODE. */
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export function readHeader(buf: Buffer): MessageHeader {
  if (buf.length < HEADER_LENGTH) throw new WireFormatError(`message shorter than ${HEADER_LENGTH} bytes`);
  const flags = buf.readUInt16BE(2);
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    qdcount: buf.readUInt16BE(4),
    ancount: buf.readUInt16BE(6),
    nscount: buf.readUInt16BE(8),
    arcount: buf.readUInt16BE(10),
  };
}

export function writeHeader(h: {
  id: number;
  opcode: number;
  qr?: boolean;
  rd?: boolean;
  rcode?: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}): Buffer {
  const buf = Buffer.alloc(HEADER_LENGTH);
  let flags = (h.opcode & 0xf) << 11;
  if (h.qr === true) flags |= 0x8000;
  if (h.rd === true) flags |= 0x0100;
  flags |= (h.rcode ?? 0) & 0xf;
  buf.writeUInt16BE(h.id & 0xffff, 0);
  buf.writeUInt16BE(flags, 2);
  buf.writeUInt16BE(h.qdcount, 4);
  buf.writeUInt16BE(h.ancount, 6);
  buf.writeUInt16BE(h.nscount, 8);
  buf.writeUInt16BE(h.arcount, 10);
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

/** One RR encoded without compression: owner, type, class, TTL, RDLENGTH, RDATA. */
export function encodeRecord(owner: string, type: number, klass: number, ttl: number, rdata: Buffer): Buffer {
  if (rdata.length > 0xffff) throw new WireFormatError('RDATA longer than 65535 bytes');
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(klass, 2);
  fixed.writeUInt32BE(ttl >>> 0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(owner), fixed, rdata]);
}

export interface RawQuestion {
  name: string;
  type: number;
  klass: number;
}

export interface RawRecord {
  name: string;
  type: number;
  klass: number;
  ttl: number;
  rdata: Buffer;
  /** Offset of the first byte of the RR (its owner name). */
  start: number;
  /** Offset of the RDATA. */
  rdataOffset: number;
  /** Offset just past the RR. */
  end: number;
}

export interface RawMessage {
  header: MessageHeader;
  questions: RawQuestion[];
  answers: RawRecord[];
  authorities: RawRecord[];
  additionals: RawRecord[];
}

function readRecord(buf: Buffer, offset: number): RawRecord {
  const owner = readName(buf, offset);
  const p = owner.next;
  if (p + 10 > buf.length) throw new WireFormatError('RR header runs past end of message');
  const rdlen = buf.readUInt16BE(p + 8);
  const rdataOffset = p + 10;
  if (rdataOffset + rdlen > buf.length) throw new WireFormatError('RDATA runs past end of message');
  return {
    name: owner.name,
    type: buf.readUInt16BE(p),
    klass: buf.readUInt16BE(p + 2),
    ttl: buf.readUInt32BE(p + 4),
    rdata: buf.subarray(rdataOffset, rdataOffset + rdlen),
    start: offset,
    rdataOffset,
    end: rdataOffset + rdlen,
  };
}

/** Parses every section into raw records (RDATA left undecoded). Throws WireFormatError when malformed. */
export function parseMessage(buf: Buffer): RawMessage {
  const header = readHeader(buf);
  let offset = HEADER_LENGTH;
  const questions: RawQuestion[] = [];
  for (let i = 0; i < header.qdcount; i++) {
    const n = readName(buf, offset);
    if (n.next + 4 > buf.length) throw new WireFormatError('question runs past end of message');
    questions.push({ name: n.name, type: buf.readUInt16BE(n.next), klass: buf.readUInt16BE(n.next + 2) });
    offset = n.next + 4;
  }
  const section = (count: number): RawRecord[] => {
    const out: RawRecord[] = [];
    for (let i = 0; i < count; i++) {
      const rr = readRecord(buf, offset);
      out.push(rr);
      offset = rr.end;
    }
    return out;
  };
  const answers = section(header.ancount);
  const authorities = section(header.nscount);
  const additionals = section(header.arcount);
  return { header, questions, answers, authorities, additionals };
}

export function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value & 0xffff, 0);
  return b;
}

export function u48(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffffffff) {
    throw new WireFormatError(`value ${value} does not fit in 48 bits`);
  }
  const b = Buffer.alloc(6);
  b.writeUIntBE(value, 0, 6);
  return b;
}
