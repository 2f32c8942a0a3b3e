/**
 * Tiny non-recursive DNS query (no TSIG), used to check that an update is visible on the server.
 * UDP first; TCP when the answer is truncated.
 */
import dnsPacket from 'dns-packet';

import { DnsUpdateError, ERROR_EXPLANATION, formatServer, rcodeToErrorCode } from './errors.js';
import { TransportError, exchangeTcp, exchangeUdp } from './transport.js';
import { randomMessageId } from './updateMessage.js';
import { DNS_OPCODE, WireFormatError, normalizeName, readHeader } from './wire.js';

export interface QueryTarget {
  server: string;
  port: number;
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Returns the answer-section records for (name, type). NXDOMAIN and NODATA give []; any other RCODE,
 * timeouts and network errors raise DnsUpdateError (zone undefined).
 */
export async function queryRecords(
  target: QueryTarget,
  name: string,
  type: dnsPacket.RecordType,
): Promise<dnsPacket.Answer[]> {
  const timeoutMs = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const id = randomMessageId();
  const qname = normalizeName(name);
  const request = dnsPacket.encode({
    type: 'query',
    id,
    flags: 0,
    questions: [{ name: qname, type, class: 'IN' }],
  });
  const where = formatServer(target.server, target.port);
  const fail = (
    code: ConstructorParameters<typeof DnsUpdateError>[0],
    what: string,
    extra: object = {},
  ): never => {
    throw new DnsUpdateError(code, `DNS query ${qname}/${type} at ${where} failed: ${code} (${what})`, {
      server: target.server,
      port: target.port,
      messageId: id,
      ...extra,
    });
  };

  let response: Buffer;
  let protocol: 'udp' | 'tcp' = 'udp';
  try {
    response = await exchangeUdp(
      target,
      request,
      timeoutMs,
      (msg) => msg.length >= 2 && msg.readUInt16BE(0) === id,
    );
    if (readHeader(response).tc) {
      protocol = 'tcp';
      response = await exchangeTcp(target, request, Math.max(1, deadline - Date.now()));
    }
  } catch (err) {
    if (err instanceof TransportError)
      return fail(err.kind, err.message, { protocol: err.protocol, cause: err });
    if (err instanceof WireFormatError) return fail('BAD_RESPONSE', err.message, { protocol, cause: err });
    throw err;
  }

  let decoded: dnsPacket.DecodedPacket;
  try {
    const header = readHeader(response);
    if (header.id !== id || !header.qr || header.opcode !== DNS_OPCODE.QUERY) {
      return fail(
        'BAD_RESPONSE',
        `unexpected header (id ${header.id}, qr ${header.qr}, opcode ${header.opcode})`,
        {
          protocol,
        },
      );
    }
    if (header.rcode !== 0 && header.rcode !== 3) {
      const code = rcodeToErrorCode(header.rcode);
      return fail(code, ERROR_EXPLANATION[code], { rcode: header.rcode, protocol });
    }
    decoded = dnsPacket.decode(response);
  } catch (err) {
    if (err instanceof DnsUpdateError) throw err;
    return fail('BAD_RESPONSE', err instanceof Error ? err.message : String(err), { protocol, cause: err });
  }
  return decoded.answers ?? [];
}
