/**
 * RFC 2136 UPDATE message builder (opcode 5).
 *
 * Sections: Zone (ZOCOUNT=1: zone name, SOA, IN), Prerequisite (§2.4), Update (§2.5), Additional.
 * Typed RDATA for A/AAAA/TXT is produced by dns-packet; everything UPDATE-specific (class NONE/ANY,
 * empty RDATA, TTL 0 rules) is encoded here because dns-packet cannot express it.
 */
import { randomInt } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

import dnsPacket from 'dns-packet';

import {
  DNS_CLASS,
  DNS_OPCODE,
  DNS_TYPE,
  WireFormatError,
  encodeName,
  encodeRecord,
  isInZone,
  u16,
  writeHeader,
} from './wire.js';

export type NameRecordType = 'CNAME' | 'DNAME' | 'NS' | 'PTR';

/** Record data, by type. Names may carry a trailing dot or not; they are always absolute. */
export type RecordData =
  | { type: 'A'; data: string }
  | { type: 'AAAA'; data: string }
  | { type: NameRecordType; data: string }
  | { type: 'TXT'; data: string | readonly string[] }
  | { type: 'MX'; data: { preference: number; exchange: string } }
  | { type: 'SRV'; data: { priority: number; weight: number; port: number; target: string } };

export type RecordType = RecordData['type'];

/** A record without TTL (prerequisites, delete-one-RR). */
export type RecordSpec = { name: string } & RecordData;
/** A record to add. */
export type ResourceRecord = RecordSpec & { ttl: number };

/** RFC 2136 §2.4. */
export type Prerequisite =
  /** §2.4.4 Name is in use: at least one RR of any type exists at `name`. */
  | { kind: 'nameInUse'; name: string }
  /** §2.4.5 Name is not in use: no RR of any type exists at `name`. */
  | { kind: 'nameNotInUse'; name: string }
  /** §2.4.1 RRset exists (value independent). */
  | { kind: 'rrsetExists'; name: string; type: RecordType }
  /**
   * §2.4.2 RRset exists (value dependent): the RRset at (name, type) is exactly the given records.
   * Several records of one RRset go in one prerequisite.
   */
  | { kind: 'rrsetExistsValue'; name: string; records: readonly RecordData[] }
  /** §2.4.3 RRset does not exist. */
  | { kind: 'rrsetNotExists'; name: string; type: RecordType };

/** RFC 2136 §2.5. */
export type UpdateOperation =
  /** §2.5.1 Add to an RRset. */
  | { kind: 'add'; record: ResourceRecord }
  /** §2.5.2 Delete an RRset. */
  | { kind: 'deleteRRset'; name: string; type: RecordType }
  /** §2.5.3 Delete all RRsets from a name. */
  | { kind: 'deleteName'; name: string }
  /** §2.5.4 Delete an RR from an RRset (TTL is ignored). */
  | { kind: 'deleteRecord'; record: RecordSpec };

export interface UpdateRequest {
  zone: string;
  prerequisites?: readonly Prerequisite[];
  updates: readonly UpdateOperation[];
}

const MAX_TTL = 0x7fffffff;

/** Uniformly random 16-bit message id (crypto RNG: ids are part of spoofing resistance). */
export function randomMessageId(): number {
  return randomInt(0, 0x10000);
}

function typeCode(type: RecordType): number {
  return DNS_TYPE[type];
}

function rdataViaDnsPacket(answer: dnsPacket.Answer): Buffer {
  // Encode one RR with root owner ('.' = 1 byte) and take the RDATA after the 12-byte header,
  // the owner and TYPE/CLASS/TTL/RDLENGTH (10 bytes).
  const wire = dnsPacket.encode({ type: 'query', id: 0, flags: 0, answers: [answer] });
  const rdataOffset = 12 + 1 + 10;
  const rdlen = wire.readUInt16BE(rdataOffset - 2);
  if (wire.length !== rdataOffset + rdlen) throw new WireFormatError('unexpected dns-packet RR encoding');
  return Buffer.from(wire.subarray(rdataOffset));
}

/** RDATA of a typed record, uncompressed. */
export function encodeRdata(record: RecordData): Buffer {
  switch (record.type) {
    case 'A':
      if (!isIPv4(record.data))
        throw new WireFormatError(`A record data "${record.data}" is not an IPv4 address`);
      return rdataViaDnsPacket({ type: 'A', name: '.', data: record.data });
    case 'AAAA':
      if (!isIPv6(record.data)) {
        throw new WireFormatError(`AAAA record data "${record.data}" is not an IPv6 address`);
      }
      return rdataViaDnsPacket({ type: 'AAAA', name: '.', data: record.data });
    case 'CNAME':
    case 'DNAME':
    case 'NS':
    case 'PTR':
      return encodeName(record.data);
    case 'TXT': {
      const strings = typeof record.data === 'string' ? [record.data] : [...record.data];
      if (strings.length === 0) throw new WireFormatError('TXT record needs at least one string');
      const buffers = strings.map((s) => Buffer.from(s, 'utf8'));
      for (const b of buffers) {
        if (b.length > 255) throw new WireFormatError('TXT character-string longer than 255 bytes');
      }
      // RFC 1035 §3.3.14: one or more <character-string>s, each a length byte and its bytes.
      return Buffer.concat(buffers.flatMap((b) => [Buffer.from([b.length]), b]));
    }
    case 'MX':
      checkU16('MX preference', record.data.preference);
      return Buffer.concat([u16(record.data.preference), encodeName(record.data.exchange)]);
    case 'SRV':
      checkU16('SRV priority', record.data.priority);
      checkU16('SRV weight', record.data.weight);
      checkU16('SRV port', record.data.port);
      return Buffer.concat([
        u16(record.data.priority),
        u16(record.data.weight),
        u16(record.data.port),
        encodeName(record.data.target),
      ]);
  }
}

function checkU16(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new WireFormatError(`${what} ${value} is not a 16-bit unsigned integer`);
  }
}

function checkInZone(name: string, zone: string, where: string): void {
  if (!isInZone(name, zone)) throw new WireFormatError(`${where}: "${name}" is not in zone "${zone}"`);
}

const EMPTY = Buffer.alloc(0);

export function encodePrerequisite(p: Prerequisite, zone: string): Buffer[] {
  checkInZone(p.name, zone, `prerequisite ${p.kind}`);
  switch (p.kind) {
    case 'nameInUse':
      return [encodeRecord(p.name, DNS_TYPE.ANY, DNS_CLASS.ANY, 0, EMPTY)];
    case 'nameNotInUse':
      return [encodeRecord(p.name, DNS_TYPE.ANY, DNS_CLASS.NONE, 0, EMPTY)];
    case 'rrsetExists':
      return [encodeRecord(p.name, typeCode(p.type), DNS_CLASS.ANY, 0, EMPTY)];
    case 'rrsetNotExists':
      return [encodeRecord(p.name, typeCode(p.type), DNS_CLASS.NONE, 0, EMPTY)];
    case 'rrsetExistsValue': {
      const first = p.records[0];
      if (first === undefined) throw new WireFormatError('rrsetExistsValue needs at least one record');
      if (p.records.some((r) => r.type !== first.type)) {
        throw new WireFormatError('rrsetExistsValue records must all have the same type (one RRset)');
      }
      return p.records.map((r) => encodeRecord(p.name, typeCode(r.type), DNS_CLASS.IN, 0, encodeRdata(r)));
    }
  }
}

export function encodeUpdateOperation(u: UpdateOperation, zone: string): Buffer {
  switch (u.kind) {
    case 'add': {
      const r = u.record;
      checkInZone(r.name, zone, 'add');
      if (!Number.isInteger(r.ttl) || r.ttl < 0 || r.ttl > MAX_TTL) {
        throw new WireFormatError(`add ${r.name}: TTL ${r.ttl} out of range`);
      }
      return encodeRecord(r.name, typeCode(r.type), DNS_CLASS.IN, r.ttl, encodeRdata(r));
    }
    case 'deleteRRset':
      checkInZone(u.name, zone, 'deleteRRset');
      return encodeRecord(u.name, typeCode(u.type), DNS_CLASS.ANY, 0, EMPTY);
    case 'deleteName':
      checkInZone(u.name, zone, 'deleteName');
      return encodeRecord(u.name, DNS_TYPE.ANY, DNS_CLASS.ANY, 0, EMPTY);
    case 'deleteRecord':
      checkInZone(u.record.name, zone, 'deleteRecord');
      return encodeRecord(u.record.name, typeCode(u.record.type), DNS_CLASS.NONE, 0, encodeRdata(u.record));
  }
}

/** Builds the unsigned UPDATE message. Throws WireFormatError on invalid input (nothing is sent). */
export function buildUpdateMessage(request: UpdateRequest, id: number = randomMessageId()): Buffer {
  const zone = request.zone;
  const prereqs = (request.prerequisites ?? []).flatMap((p) => encodePrerequisite(p, zone));
  const updates = request.updates.map((u) => encodeUpdateOperation(u, zone));
  if (prereqs.length > 0xffff || updates.length > 0xffff) throw new WireFormatError('too many records');
  const zoneSection = Buffer.concat([encodeName(zone), u16(DNS_TYPE.SOA), u16(DNS_CLASS.IN)]);
  const header = writeHeader({
    id,
    opcode: DNS_OPCODE.UPDATE,
    qdcount: 1, // ZOCOUNT
    ancount: prereqs.length, // PRCOUNT
    nscount: updates.length, // UPCOUNT
    arcount: 0, // ADCOUNT
  });
  const wire = Buffer.concat([header, zoneSection, ...prereqs, ...updates]);
  if (wire.length > 0xffff) throw new WireFormatError(`UPDATE message of ${wire.length} bytes exceeds 65535`);
  return wire;
}

/** Short human description of a prerequisite, for error messages. */
export function describePrerequisite(p: Prerequisite): string {
  switch (p.kind) {
    case 'nameInUse':
      return `name ${p.name} in use`;
    case 'nameNotInUse':
      return `name ${p.name} not in use`;
    case 'rrsetExists':
      return `${p.name} ${p.type} exists`;
    case 'rrsetNotExists':
      return `${p.name} ${p.type} does not exist`;
    case 'rrsetExistsValue':
      return `${p.name} ${p.records[0]?.type ?? '?'} is exactly {${p.records.map((r) => JSON.stringify(r.data)).join(', ')}}`;
  }
}
