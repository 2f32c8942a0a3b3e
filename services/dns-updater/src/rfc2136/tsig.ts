/**
 * TSIG (RFC 8945) with HMAC-SHA256, implemented on node:crypto.
 *
 * Digest (RFC 8945 §4.3.3): [request MAC length + request MAC, responses only] + the DNS message as it
 * was before the TSIG RR was added (original ID, ARCOUNT without the TSIG) + the TSIG variables: key name
 * (canonical wire form), CLASS ANY, TTL 0, algorithm name (canonical wire form), Time Signed (48 bit),
 * Fudge, Error, Other Len, Other Data.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import {
  DNS_CLASS,
  DNS_TYPE,
  WireFormatError,
  encodeName,
  namesEqual,
  parseMessage,
  readHeader,
  readName,
  u16,
  u48,
} from './wire.js';

export type TsigAlgorithm = 'hmac-sha256';

export interface TsigKey {
  /** Key name as configured on the server, e.g. "pdme-update" (trailing dot optional). */
  name: string;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

export const TSIG_ALGORITHM_NAME: Readonly<Record<TsigAlgorithm, string>> = { 'hmac-sha256': 'hmac-sha256.' };
const MAC_LENGTH: Readonly<Record<TsigAlgorithm, number>> = { 'hmac-sha256': 32 };

/** TSIG error field values (RFC 8945 §3, IANA "DNS RCODEs"). */
export const TSIG_ERROR = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;
export type TsigErrorName = 'BADSIG' | 'BADKEY' | 'BADTIME' | 'BADTRUNC' | 'OTHER';

export const DEFAULT_FUDGE_SECONDS = 300;

export function tsigErrorName(code: number): TsigErrorName {
  switch (code) {
    case TSIG_ERROR.BADSIG:
      return 'BADSIG';
    case TSIG_ERROR.BADKEY:
      return 'BADKEY';
    case TSIG_ERROR.BADTIME:
      return 'BADTIME';
    case TSIG_ERROR.BADTRUNC:
      return 'BADTRUNC';
    default:
      return 'OTHER';
  }
}

// ---------------------------------------------------------------------------------------------
// Key file
// ---------------------------------------------------------------------------------------------

/** Removes `//`, `#` and `/* *\/` comments outside double-quoted strings (base64 may contain "//"). */
function stripConfComments(text: string): string {
  let out = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (quoted) {
      out += ch;
      if (ch === '"') quoted = false;
      i += 1;
    } else if (ch === '"') {
      quoted = true;
      out += ch;
      i += 1;
    } else if (ch === '#' || text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/**
 * Parses `tsig-keygen` / named.conf key syntax:
 *   key "name" { algorithm hmac-sha256; secret "base64"; };
 * Returns the key called `keyName`, or the first key when no name is given.
 */
export function parseTsigKeyFile(text: string, keyName?: string): TsigKey {
  const body = stripConfComments(text);
  const keyRe = /\bkey\s+(?:"([^"]+)"|([^\s{;"]+))\s*\{([^{}]*)\}\s*;/g;
  const found: string[] = [];
  for (const match of body.matchAll(keyRe)) {
    const name = match[1] ?? match[2] ?? '';
    const inner = match[3] ?? '';
    found.push(name);
    if (keyName !== undefined && !namesEqual(name, keyName)) continue;
    const algorithm = /\balgorithm\s+"?([A-Za-z0-9.-]+)"?\s*;/.exec(inner)?.[1]?.toLowerCase();
    const secret = /\bsecret\s+"([^"]*)"\s*;/.exec(inner)?.[1];
    if (algorithm === undefined) throw new Error(`TSIG key "${name}": no algorithm`);
    const normalized = algorithm.replace(/\.$/, '');
    if (normalized !== 'hmac-sha256') {
      throw new Error(`TSIG key "${name}": unsupported algorithm "${algorithm}" (only hmac-sha256)`);
    }
    if (secret === undefined) throw new Error(`TSIG key "${name}": no secret`);
    const compact = secret.replace(/\s+/g, '');
    if (compact.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) {
      throw new Error(`TSIG key "${name}": secret is not valid base64`);
    }
    return { name, algorithm: 'hmac-sha256', secret: Buffer.from(compact, 'base64') };
  }
  if (keyName !== undefined) {
    throw new Error(
      `no TSIG key named "${keyName}" (found: ${found.map((n) => `"${n}"`).join(', ') || 'none'})`,
    );
  }
  throw new Error('no TSIG key definition found (expected: key "name" { algorithm ...; secret "..."; };)');
}

// ---------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------

export interface TsigSignOptions {
  /** Seconds since the epoch; defaults to now. */
  timeSigned?: number;
  fudge?: number;
  /** For responses (and for the test signer): the MAC of the request being answered. */
  requestMac?: Buffer;
  /** TSIG error field (servers only; 0 for requests). */
  error?: number;
  otherData?: Buffer;
}

export interface SignedMessage {
  /** The message with the TSIG RR appended and ARCOUNT incremented. */
  wire: Buffer;
  mac: Buffer;
  timeSigned: number;
  fudge: number;
}

function tsigVariables(
  key: TsigKey,
  timeSigned: number,
  fudge: number,
  error: number,
  otherData: Buffer,
): Buffer {
  return Buffer.concat([
    encodeName(key.name, { canonical: true }),
    u16(DNS_CLASS.ANY),
    Buffer.alloc(4), // TTL 0
    encodeName(TSIG_ALGORITHM_NAME[key.algorithm], { canonical: true }),
    u48(timeSigned),
    u16(fudge),
    u16(error),
    u16(otherData.length),
    otherData,
  ]);
}

function computeMac(
  key: TsigKey,
  messageWithoutTsig: Buffer,
  variables: Buffer,
  requestMac: Buffer | undefined,
): Buffer {
  const hmac = createHmac('sha256', key.secret);
  if (requestMac !== undefined) {
    hmac.update(u16(requestMac.length));
    hmac.update(requestMac);
  }
  hmac.update(messageWithoutTsig);
  hmac.update(variables);
  return hmac.digest();
}

/** Signs a complete DNS message that does not carry a TSIG yet. */
export function signMessage(message: Buffer, key: TsigKey, options: TsigSignOptions = {}): SignedMessage {
  const header = readHeader(message);
  if (header.arcount === 0xffff) throw new WireFormatError('ARCOUNT overflow');
  const timeSigned = options.timeSigned ?? Math.floor(Date.now() / 1000);
  const fudge = options.fudge ?? DEFAULT_FUDGE_SECONDS;
  const error = options.error ?? 0;
  const otherData = options.otherData ?? Buffer.alloc(0);
  const mac = computeMac(
    key,
    message,
    tsigVariables(key, timeSigned, fudge, error, otherData),
    options.requestMac,
  );
  const rdata = Buffer.concat([
    encodeName(TSIG_ALGORITHM_NAME[key.algorithm], { canonical: true }),
    u48(timeSigned),
    u16(fudge),
    u16(mac.length),
    mac,
    u16(header.id), // Original ID
    u16(error),
    u16(otherData.length),
    otherData,
  ]);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(DNS_TYPE.TSIG, 0);
  fixed.writeUInt16BE(DNS_CLASS.ANY, 2);
  fixed.writeUInt32BE(0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  const wire = Buffer.concat([message, encodeName(key.name, { canonical: true }), fixed, rdata]);
  wire.writeUInt16BE(header.arcount + 1, 10);
  return { wire, mac, timeSigned, fudge };
}

// ---------------------------------------------------------------------------------------------
// Parsing / verification
// ---------------------------------------------------------------------------------------------

export interface TsigRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
  /** Offset of the TSIG RR in the message (everything before it is what was signed). */
  start: number;
}

/**
 * Finds and decodes the TSIG RR. Returns undefined for an unsigned message; throws WireFormatError if
 * the message is malformed or a TSIG is present anywhere but as the last additional record.
 */
export function readTsig(message: Buffer): TsigRecord | undefined {
  const parsed = parseMessage(message);
  const all = [...parsed.answers, ...parsed.authorities, ...parsed.additionals];
  const tsigs = all.filter((rr) => rr.type === DNS_TYPE.TSIG);
  if (tsigs.length === 0) return undefined;
  const last = parsed.additionals[parsed.additionals.length - 1];
  if (tsigs.length > 1 || last === undefined || last.type !== DNS_TYPE.TSIG) {
    throw new WireFormatError('TSIG must be the single, last record of the additional section');
  }
  if (last.klass !== DNS_CLASS.ANY || last.ttl !== 0) throw new WireFormatError('TSIG with bad class/TTL');
  const algo = readName(message, last.rdataOffset);
  let p = algo.next;
  const need = (n: number): void => {
    if (p + n > last.end) throw new WireFormatError('TSIG RDATA truncated');
  };
  need(10);
  const timeSigned = message.readUIntBE(p, 6);
  const fudge = message.readUInt16BE(p + 6);
  const macSize = message.readUInt16BE(p + 8);
  p += 10;
  need(macSize + 6);
  const mac = Buffer.from(message.subarray(p, p + macSize));
  p += macSize;
  const originalId = message.readUInt16BE(p);
  const error = message.readUInt16BE(p + 2);
  const otherLen = message.readUInt16BE(p + 4);
  p += 6;
  need(otherLen);
  const otherData = Buffer.from(message.subarray(p, p + otherLen));
  p += otherLen;
  if (p !== last.end) throw new WireFormatError('TSIG RDATA has trailing bytes');
  return {
    keyName: last.name,
    algorithm: algo.name,
    timeSigned,
    fudge,
    mac,
    originalId,
    error,
    otherData,
    start: last.start,
  };
}

export type TsigVerifyResult =
  | { status: 'ok'; tsig: TsigRecord }
  | { status: 'unsigned' }
  | { status: 'malformed'; detail: string }
  | {
      status: TsigErrorName;
      /** 'server': the peer put this error in its TSIG; 'client': our own verification failed. */
      origin: 'server' | 'client';
      /** Numeric TSIG error (server) or the code we would have answered with (client). */
      tsigError: number;
      detail: string;
      tsig: TsigRecord;
      /** For a server BADTIME: the server's clock from Other Data (seconds since epoch). */
      serverTime?: number;
    };

export interface TsigVerifyOptions {
  /** MAC of the request this message answers; omit when verifying a request. */
  requestMac?: Buffer;
  /** Seconds since the epoch; defaults to now. */
  now?: number;
}

/**
 * Verifies the TSIG of a received message. Order per RFC 8945 §5.2/§5.3: key and algorithm, then (for
 * a server error without MAC) report the server's error, then MAC (constant-time), then time.
 */
export function verifyMessage(
  message: Buffer,
  key: TsigKey,
  options: TsigVerifyOptions = {},
): TsigVerifyResult {
  let tsig: TsigRecord | undefined;
  try {
    tsig = readTsig(message);
  } catch (err) {
    return { status: 'malformed', detail: err instanceof Error ? err.message : String(err) };
  }
  if (tsig === undefined) return { status: 'unsigned' };

  const clientError = (status: TsigErrorName, tsigError: number, detail: string): TsigVerifyResult => ({
    status,
    origin: 'client',
    tsigError,
    detail,
    tsig,
  });

  if (!namesEqual(tsig.keyName, key.name)) {
    return clientError(
      'BADKEY',
      TSIG_ERROR.BADKEY,
      `signed with key "${tsig.keyName}", expected "${key.name}"`,
    );
  }
  if (!namesEqual(tsig.algorithm, TSIG_ALGORITHM_NAME[key.algorithm])) {
    return clientError(
      'BADKEY',
      TSIG_ERROR.BADKEY,
      `algorithm "${tsig.algorithm}", expected "${key.algorithm}"`,
    );
  }

  const serverError = (macVerified: boolean): TsigVerifyResult => {
    const name = tsigErrorName(tsig.error);
    const serverTime = tsig.otherData.length === 6 ? tsig.otherData.readUIntBE(0, 6) : undefined;
    return {
      status: name,
      origin: 'server',
      tsigError: tsig.error,
      detail:
        `peer reported TSIG error ${name === 'OTHER' ? tsig.error : name}` +
        (macVerified ? '' : ' (unsigned error response)') +
        (serverTime !== undefined ? `; server time ${serverTime}` : ''),
      tsig,
      ...(serverTime !== undefined ? { serverTime } : {}),
    };
  };
  // BADSIG/BADKEY answers carry no MAC (RFC 8945 §5.3.2): nothing to verify, report as-is.
  if (tsig.error !== 0 && tsig.mac.length === 0) return serverError(false);

  const expectedLength = MAC_LENGTH[key.algorithm];
  if (tsig.mac.length !== expectedLength) {
    return clientError(
      tsig.mac.length < expectedLength ? 'BADTRUNC' : 'BADSIG',
      tsig.mac.length < expectedLength ? TSIG_ERROR.BADTRUNC : TSIG_ERROR.BADSIG,
      `MAC is ${tsig.mac.length} bytes, expected ${expectedLength} (truncated MACs are not accepted)`,
    );
  }

  const unsigned = Buffer.from(message.subarray(0, tsig.start));
  unsigned.writeUInt16BE(tsig.originalId, 0);
  unsigned.writeUInt16BE(readHeader(message).arcount - 1, 10);
  const expected = computeMac(
    key,
    unsigned,
    tsigVariables(key, tsig.timeSigned, tsig.fudge, tsig.error, tsig.otherData),
    options.requestMac,
  );
  if (!timingSafeEqual(expected, tsig.mac)) {
    return clientError('BADSIG', TSIG_ERROR.BADSIG, 'MAC does not verify with our key');
  }

  if (tsig.error !== 0) return serverError(true);

  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - tsig.timeSigned) > tsig.fudge) {
    return clientError(
      'BADTIME',
      TSIG_ERROR.BADTIME,
      `time signed ${tsig.timeSigned} is ${now - tsig.timeSigned}s from our clock ${now} (fudge ${tsig.fudge}s)`,
    );
  }
  return { status: 'ok', tsig };
}
