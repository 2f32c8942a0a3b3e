/**
 * One dnstap payload (a Dnstap protobuf) to one normalized query observation, or a typed failure.
 * Never throws: the payload comes from the network, and one bad record must not stop a stream.
 */
import { dnstap } from '@pdme/common/proto';
import dnsPacket from 'dns-packet';
import { readDnstap } from './dnstapReader.js';
import { ipText, maskPrefix } from './ipText.js';

const { Dnstap_Type, Message_Type, SocketFamily, SocketProtocol } = dnstap;

/** Query-side types only: RESOLVER_/FORWARDER_/STUB_ messages are the server's own upstream traffic. */
export type DnstapMessageType = 'AUTH_QUERY' | 'AUTH_RESPONSE' | 'CLIENT_QUERY' | 'CLIENT_RESPONSE';

const ACCEPTED_TYPES = new Map<number, DnstapMessageType>([
  [Message_Type.AUTH_QUERY, 'AUTH_QUERY'],
  [Message_Type.AUTH_RESPONSE, 'AUTH_RESPONSE'],
  [Message_Type.CLIENT_QUERY, 'CLIENT_QUERY'],
  [Message_Type.CLIENT_RESPONSE, 'CLIENT_RESPONSE'],
]);

export type Transport = 'udp' | 'tcp' | 'dot' | 'doh' | 'dnscrypt-udp' | 'dnscrypt-tcp' | 'doq' | 'unknown';

const TRANSPORTS = new Map<number, Transport>([
  [SocketProtocol.UDP, 'udp'],
  [SocketProtocol.TCP, 'tcp'],
  [SocketProtocol.DOT, 'dot'],
  [SocketProtocol.DOH, 'doh'],
  [SocketProtocol.DNSCryptUDP, 'dnscrypt-udp'],
  [SocketProtocol.DNSCryptTCP, 'dnscrypt-tcp'],
  [SocketProtocol.DOQ, 'doq'],
]);

export type ClientSubnet = {
  family: 'ipv4' | 'ipv6';
  sourcePrefixLength: number;
  /** Masked to sourcePrefixLength, whatever the sender put in the trailing bits. */
  address: string;
};

export type DnstapQuery = {
  ok: true;
  /** Milliseconds since the epoch, whole (QueryEvent.ts_ms is an int64). */
  tsMs: number;
  /** Lower-case (ASCII only), no trailing dot, '.' for the root; IDNA labels are left as they are. */
  qname: string;
  /** Mnemonic such as 'A' or 'HTTPS'; RFC 3597 'TYPE<n>' when unknown. */
  qtype: string;
  /** Raw client address: personal data, only for anonymization inside ingest, never to be published. */
  clientAddress: string;
  clientPort: number;
  transport: Transport;
  messageType: DnstapMessageType;
  ecs?: ClientSubnet;
  /** The dnstap identity of the DNS server (BIND's `dnstap-identity`), when it sent one. */
  identity?: string;
};

export type DecodeFailureReason =
  | 'protobuf'
  | 'not-a-message'
  | 'unsupported-type'
  | 'no-dns-message'
  | 'dns-wire'
  | 'no-question'
  | 'name-too-long'
  | 'bad-address'
  | 'bad-time';

export type DecodeFailure = { ok: false; reason: DecodeFailureReason; detail?: string };

export type DecodeOptions = {
  /**
   * Message types to keep. Default: all four. A server logging both queries and responses
   * (BIND `dnstap { client; }`) reports each query twice, so keep one side in that case.
   */
  messageTypes?: ReadonlySet<DnstapMessageType>;
};

const MAX_NAME_LENGTH = 253;

/** Types dns-packet 5.6 does not name (it says 'UNKNOWN_<n>') but that are common in query logs. */
const EXTRA_TYPE_NAMES = new Map<number, string>([
  [64, 'SVCB'],
  [65, 'HTTPS'],
]);

const fail = (reason: DecodeFailureReason, error?: unknown): DecodeFailure =>
  error === undefined ? { ok: false, reason } : { ok: false, reason, detail: errorText(error) };

export function decodeDnstap(payload: Uint8Array, options: DecodeOptions = {}): DnstapQuery | DecodeFailure {
  let frame: dnstap.Dnstap;
  try {
    frame = readDnstap(payload);
  } catch (error) {
    return fail('protobuf', error);
  }
  const message = frame.message;
  if (frame.type !== Dnstap_Type.MESSAGE || message === undefined) return fail('not-a-message');
  const messageType = ACCEPTED_TYPES.get(message.type);
  if (messageType === undefined || (options.messageTypes && !options.messageTypes.has(messageType))) {
    return fail('unsupported-type');
  }
  const isResponse = messageType.endsWith('_RESPONSE');

  // The generated code fills absent bytes fields with empty buffers, so empty means absent.
  const wire = nonEmpty(message.queryMessage) ?? (isResponse ? nonEmpty(message.responseMessage) : undefined);
  if (wire === undefined) return fail('no-dns-message');
  if (!plausibleDnsSize(wire)) return fail('dns-wire');
  let packet: dnsPacket.DecodedPacket;
  try {
    packet = dnsPacket.decode(wire);
  } catch (error) {
    return fail(errorText(error).includes('name too long') ? 'name-too-long' : 'dns-wire', error);
  }
  const question = packet.questions?.[0];
  if (question === undefined) return fail('no-question');
  const qname = normalizeName(question.name);
  if (qname.length > MAX_NAME_LENGTH) return fail('name-too-long');

  const clientAddress = clientAddressText(message.socketFamily, message.queryAddress);
  if (clientAddress === undefined) return fail('bad-address');
  const tsMs = timestampMs(message, isResponse);
  if (tsMs === undefined) return fail('bad-time');

  const result: DnstapQuery = {
    ok: true,
    tsMs,
    qname,
    qtype: typeName(question.type),
    clientAddress,
    clientPort: message.queryPort ?? 0,
    transport: TRANSPORTS.get(message.socketProtocol ?? SocketProtocol.UDP) ?? 'unknown',
    messageType,
  };
  const ecs = clientSubnet(packet);
  if (ecs) result.ecs = ecs;
  const identity = nonEmpty(frame.identity);
  if (identity) result.identity = identity.toString('utf8');
  return result;
}

/**
 * dns-packet sizes its four section arrays from the header counts before reading any record
 * (`new Array(qdcount)` etc.), so 100 random bytes claiming 4 x 65535 records cost it 10-100 ms.
 * A count that cannot fit the message (a question takes at least 5 bytes, a record 11) is
 * rejected up front, which bounds the work by the message length.
 */
function plausibleDnsSize(wire: Buffer): boolean {
  if (wire.length < 12 || wire.length > 65535) return false;
  const questions = wire.readUInt16BE(4);
  const records = wire.readUInt16BE(6) + wire.readUInt16BE(8) + wire.readUInt16BE(10);
  return 12 + questions * 5 + records * 11 <= wire.length;
}

function nonEmpty(bytes: Buffer | undefined): Buffer | undefined {
  return bytes !== undefined && bytes.length > 0 ? bytes : undefined;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}

/** DNS names compare case-insensitively for ASCII only (RFC 4343), so only A-Z are folded. */
function normalizeName(name: string): string {
  if (name === '.' || name === '') return '.';
  const lower = name.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function typeName(type: string): string {
  const unknown = /^UNKNOWN_(\d+)$/.exec(type);
  if (!unknown?.[1]) return type;
  const code = Number(unknown[1]);
  return EXTRA_TYPE_NAMES.get(code) ?? `TYPE${code}`;
}

/**
 * The generated decoder reports an absent socket_family as INET (its proto2 default), so the
 * address length must agree with the family rather than the family being trusted alone.
 */
function clientAddressText(family: number | undefined, address: Buffer | undefined): string | undefined {
  if (address === undefined) return undefined;
  const expectedLength = family === SocketFamily.INET6 ? 16 : family === SocketFamily.INET ? 4 : -1;
  return address.length === expectedLength ? ipText(address) : undefined;
}

/** Query time; response messages may carry only the response time. Whole milliseconds. */
function timestampMs(message: dnstap.Message, isResponse: boolean): number | undefined {
  const pick = (sec: number | undefined, nsec: number | undefined): number | undefined =>
    sec !== undefined && sec > 0 && (nsec ?? 0) < 1e9
      ? sec * 1000 + Math.floor((nsec ?? 0) / 1e6)
      : undefined;
  const query = pick(message.queryTimeSec, message.queryTimeNsec);
  return query ?? (isResponse ? pick(message.responseTimeSec, message.responseTimeNsec) : undefined);
}

/** RFC 7871 option: family(2) source(1) scope(1) address(ceil(source / 8)). Malformed ones are ignored. */
function clientSubnet(packet: dnsPacket.DecodedPacket): ClientSubnet | undefined {
  for (const record of packet.additionals ?? []) {
    if (record.type !== 'OPT' || !('options' in record)) continue;
    for (const option of record.options) {
      if (option.code !== 8 || option.data === undefined) continue;
      const data = option.data;
      if (data.length < 4) return undefined;
      const family = data.readUInt16BE(0);
      const sourcePrefixLength = data.readUInt8(2);
      const size = family === 1 ? 4 : family === 2 ? 16 : 0;
      if (size === 0 || sourcePrefixLength > size * 8) return undefined;
      if (data.length - 4 !== Math.ceil(sourcePrefixLength / 8)) return undefined;
      const padded = new Uint8Array(size);
      padded.set(data.subarray(4));
      const address = ipText(maskPrefix(padded, sourcePrefixLength));
      if (address === undefined) return undefined;
      return { family: family === 1 ? 'ipv4' : 'ipv6', sourcePrefixLength, address };
    }
  }
  return undefined;
}
