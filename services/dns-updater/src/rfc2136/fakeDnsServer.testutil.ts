/**
 * In-process fake DNS server for unit tests (127.0.0.1, one port for UDP and TCP).
 * The handler returns the datagrams/frames to answer with; an empty list means "stay silent".
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';

import { signMessage, readTsig, type TsigKey } from './tsig.js';
import {
  DNS_CLASS,
  DNS_TYPE,
  HEADER_LENGTH,
  encodeName,
  encodeRecord,
  readHeader,
  readName,
  u16,
  u48,
  writeHeader,
} from './wire.js';

export type FakeHandler = (request: Buffer, protocol: 'udp' | 'tcp') => Buffer[];

export interface FakeDnsServer {
  port: number;
  requests: { protocol: 'udp' | 'tcp'; message: Buffer }[];
  close(): Promise<void>;
}

export async function startFakeDnsServer(handler: FakeHandler): Promise<FakeDnsServer> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp: Socket = createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve(udp.address().port));
    });
    const tcp: Server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!ok) {
      udp.close();
      continue;
    }
    const requests: FakeDnsServer['requests'] = [];
    udp.on('message', (msg, rinfo) => {
      requests.push({ protocol: 'udp', message: msg });
      for (const out of handler(msg, 'udp')) udp.send(out, rinfo.port, rinfo.address);
    });
    tcp.on('connection', (conn) => {
      let buf = Buffer.alloc(0);
      conn.on('error', () => undefined);
      conn.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          buf = buf.subarray(2 + msg.length);
          requests.push({ protocol: 'tcp', message: msg });
          for (const out of handler(msg, 'tcp')) {
            const len = Buffer.alloc(2);
            len.writeUInt16BE(out.length, 0);
            conn.write(Buffer.concat([len, out]));
          }
        }
      });
    });
    return {
      port,
      requests,
      close: () =>
        new Promise<void>((resolve) => {
          udp.close();
          tcp.close(() => resolve());
        }),
    };
  }
  throw new Error('could not bind fake DNS server');
}

export interface ReplyOptions {
  rcode?: number;
  tc?: boolean;
  id?: number;
  qr?: boolean;
  opcode?: number;
  /** Sign the reply as a server would (request MAC chained in). */
  signWith?: TsigKey;
  tsigError?: number;
  timeSigned?: number;
  /** Append an unsigned TSIG (MAC size 0) carrying this error, as BIND does for BADSIG/BADKEY. */
  unsignedTsigError?: { keyName: string; error: number };
}

/** A minimal reply echoing the request's first question/zone section, optionally TSIG-signed. */
export function reply(request: Buffer, options: ReplyOptions = {}): Buffer {
  const req = readHeader(request);
  let questionEnd = HEADER_LENGTH;
  if (req.qdcount > 0) questionEnd = readName(request, HEADER_LENGTH).next + 4;
  const header = writeHeader({
    id: options.id ?? req.id,
    qr: options.qr ?? true,
    opcode: options.opcode ?? req.opcode,
    rcode: options.rcode ?? 0,
    qdcount: req.qdcount > 0 ? 1 : 0,
    ancount: 0,
    nscount: 0,
    arcount: 0,
  });
  if (options.tc === true) header.writeUInt16BE(header.readUInt16BE(2) | 0x0200, 2);
  const unsigned = Buffer.concat([header, request.subarray(HEADER_LENGTH, questionEnd)]);
  if (options.unsignedTsigError !== undefined) {
    const requestTsig = readTsig(request);
    const rdata = Buffer.concat([
      encodeName('hmac-sha256.'),
      u48(requestTsig?.timeSigned ?? 0),
      u16(300),
      u16(0), // MAC size 0
      u16(requestTsig?.originalId ?? req.id),
      u16(options.unsignedTsigError.error),
      u16(0),
    ]);
    const withTsig = Buffer.concat([
      unsigned,
      encodeRecord(options.unsignedTsigError.keyName, DNS_TYPE.TSIG, DNS_CLASS.ANY, 0, rdata),
    ]);
    withTsig.writeUInt16BE(1, 10);
    return withTsig;
  }
  if (options.signWith === undefined) return unsigned;
  const requestTsig = readTsig(request);
  return signMessage(unsigned, options.signWith, {
    ...(requestTsig !== undefined ? { requestMac: requestTsig.mac } : {}),
    ...(options.tsigError !== undefined ? { error: options.tsigError } : {}),
    ...(options.timeSigned !== undefined ? { timeSigned: options.timeSigned } : {}),
  }).wire;
}
