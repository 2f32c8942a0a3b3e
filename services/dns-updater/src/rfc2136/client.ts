/**
 * RFC 2136 dynamic update client with TSIG (RFC 8945, HMAC-SHA256).
 *
 * UDP first; TCP when the signed request exceeds 512 bytes or the UDP response is truncated. One overall
 * deadline (`timeoutMs`) covers the whole exchange. The client never retries on its own: errors carry
 * `retryable` so the caller decides (an update whose response was lost may or may not have been applied).
 */
import type { Answer, RecordType } from 'dns-packet';

import {
  DnsUpdateError,
  ERROR_EXPLANATION,
  formatServer,
  rcodeToErrorCode,
  type DnsUpdateErrorCode,
  type DnsUpdateErrorInit,
} from './errors.js';
import { DEFAULT_TIMEOUT_MS, queryRecords } from './resolve.js';
import { TransportError, exchangeTcp, exchangeUdp, type TransportProtocol } from './transport.js';
import {
  DEFAULT_FUDGE_SECONDS,
  signMessage,
  verifyMessage,
  type TsigKey,
  type TsigVerifyResult,
} from './tsig.js';
import {
  buildUpdateMessage,
  describePrerequisite,
  randomMessageId,
  type UpdateRequest,
} from './updateMessage.js';
import { DNS_OPCODE, WireFormatError, readHeader, type MessageHeader } from './wire.js';

/** Classic DNS UDP payload limit without EDNS (RFC 1035 §4.2.1). */
export const MAX_UDP_MESSAGE = 512;

export interface DnsUpdateClientOptions {
  /** IP address of the primary (loopback in tests). */
  server: string;
  port: number;
  /** Sign updates with this key; without it updates go unsigned (most servers will REFUSE). */
  key?: TsigKey;
  /** Deadline for one send()/query(), in ms. Default 5000. */
  timeoutMs?: number;
  /** TSIG fudge in seconds. Default 300. */
  fudge?: number;
  /** Clock in ms since the epoch, used for TSIG time signed/checks. Default Date.now. */
  clock?: () => number;
}

export interface UpdateResponse {
  id: number;
  /** Always 0 (NOERROR); failures throw DnsUpdateError. */
  rcode: 0;
  protocol: TransportProtocol;
  /** True when the response carried a TSIG that verified with our key. */
  signed: boolean;
  requestBytes: number;
  elapsedMs: number;
}

export class DnsUpdateClient {
  readonly server: string;
  readonly port: number;
  readonly #key: TsigKey | undefined;
  readonly #timeoutMs: number;
  readonly #fudge: number;
  readonly #clock: () => number;

  constructor(opts: DnsUpdateClientOptions) {
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 0xffff) {
      throw new RangeError(`invalid port ${opts.port}`);
    }
    this.server = opts.server;
    this.port = opts.port;
    this.#key = opts.key;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fudge = opts.fudge ?? DEFAULT_FUDGE_SECONDS;
    this.#clock = opts.clock ?? Date.now;
  }

  /**
   * Sends one UPDATE (all prerequisites and changes in one message: the server applies all or none).
   * Resolves on NOERROR; otherwise throws DnsUpdateError. Invalid input throws WireFormatError before
   * anything is sent.
   */
  async send(update: UpdateRequest): Promise<UpdateResponse> {
    const started = performance.now();
    const deadline = Date.now() + this.#timeoutMs;
    const id = randomMessageId();
    const unsigned = buildUpdateMessage(update, id);

    let request = unsigned;
    let requestMac: Buffer | undefined;
    if (this.#key !== undefined) {
      const signed = signMessage(unsigned, this.#key, {
        timeSigned: Math.floor(this.#clock() / 1000),
        fudge: this.#fudge,
      });
      request = signed.wire;
      requestMac = signed.mac;
    }

    const target = { server: this.server, port: this.port };
    const base: DnsUpdateErrorInit = {
      server: this.server,
      port: this.port,
      zone: update.zone,
      messageId: id,
    };
    const fail = (code: DnsUpdateErrorCode, what: string, extra: Partial<DnsUpdateErrorInit> = {}): never => {
      const details = [
        extra.rcode !== undefined ? `rcode ${extra.rcode}` : undefined,
        extra.tsigError !== undefined ? `tsig error ${extra.tsigError}` : undefined,
        extra.protocol,
        `id ${id}`,
      ].filter((s) => s !== undefined);
      throw new DnsUpdateError(
        code,
        `DNS UPDATE of zone "${update.zone}" at ${formatServer(this.server, this.port)} failed: ${code} ` +
          `(${what}) [${details.join(', ')}]`,
        { ...base, ...extra },
      );
    };

    let protocol: TransportProtocol = request.length > MAX_UDP_MESSAGE ? 'tcp' : 'udp';
    let response: Buffer;
    try {
      if (protocol === 'udp') {
        response = await exchangeUdp(
          target,
          request,
          this.#timeoutMs,
          (m) => m.length >= 2 && m.readUInt16BE(0) === id,
        );
        if (readHeader(response).tc) {
          protocol = 'tcp';
          response = await exchangeTcp(target, request, Math.max(1, deadline - Date.now()));
        }
      } else {
        response = await exchangeTcp(target, request, this.#timeoutMs);
      }
    } catch (err) {
      if (err instanceof TransportError) {
        return fail(err.kind, `${ERROR_EXPLANATION[err.kind]}: ${err.message}`, {
          protocol: err.protocol,
          cause: err,
        });
      }
      if (err instanceof WireFormatError) return fail('BAD_RESPONSE', err.message, { protocol, cause: err });
      throw err;
    }

    let header: MessageHeader;
    try {
      header = readHeader(response);
    } catch (err) {
      return fail('BAD_RESPONSE', err instanceof Error ? err.message : String(err), { protocol, cause: err });
    }
    if (header.id !== id || !header.qr || header.opcode !== DNS_OPCODE.UPDATE) {
      return fail(
        'BAD_RESPONSE',
        `unexpected header: id ${header.id}, qr ${String(header.qr)}, opcode ${header.opcode}`,
        { protocol, rcode: header.rcode },
      );
    }

    let signedResponse = false;
    let unsignedNote = '';
    if (this.#key !== undefined && requestMac !== undefined) {
      const verification: TsigVerifyResult = verifyMessage(response, this.#key, {
        requestMac,
        now: Math.floor(this.#clock() / 1000),
      });
      switch (verification.status) {
        case 'ok':
          signedResponse = true;
          break;
        case 'unsigned':
          if (header.rcode === 0) {
            return fail(
              'BAD_RESPONSE',
              'NOERROR response to a signed update carries no TSIG; cannot trust it',
              {
                protocol,
                rcode: header.rcode,
              },
            );
          }
          unsignedNote = '; response was not signed';
          break;
        case 'malformed':
          return fail('BAD_RESPONSE', `response TSIG malformed: ${verification.detail}`, {
            protocol,
            rcode: header.rcode,
          });
        default: {
          const code: DnsUpdateErrorCode =
            verification.status === 'BADKEY' || verification.status === 'BADTIME'
              ? verification.status
              : verification.status === 'OTHER'
                ? 'BAD_RESPONSE'
                : 'BADSIG';
          const prefix =
            verification.origin === 'server'
              ? `server rejected our TSIG: ${ERROR_EXPLANATION[code]}`
              : `response failed TSIG verification, outcome unknown: ${ERROR_EXPLANATION[code]}`;
          return fail(code, `${prefix}; ${verification.detail}; key "${this.#key.name}"`, {
            protocol,
            rcode: header.rcode,
            tsigError: verification.tsigError,
            tsigOrigin: verification.origin,
          });
        }
      }
    }

    if (header.rcode !== 0) {
      const code = rcodeToErrorCode(header.rcode);
      let what = code === 'BAD_RESPONSE' ? `unknown rcode ${header.rcode}` : ERROR_EXPLANATION[code];
      const prereqs = update.prerequisites ?? [];
      if (
        (code === 'YXDOMAIN' || code === 'YXRRSET' || code === 'NXDOMAIN' || code === 'NXRRSET') &&
        prereqs.length > 0
      ) {
        const shown = prereqs.slice(0, 5).map(describePrerequisite);
        if (prereqs.length > shown.length) shown.push(`… ${prereqs.length - shown.length} more`);
        what += `; prerequisites: ${shown.join('; ')}`;
      }
      return fail(code, what + unsignedNote, { protocol, rcode: header.rcode });
    }

    return {
      id,
      rcode: 0,
      protocol,
      signed: signedResponse,
      requestBytes: request.length,
      elapsedMs: performance.now() - started,
    };
  }

  /** Non-recursive query over UDP (TCP on truncation), no TSIG. NXDOMAIN/NODATA → []. */
  query(name: string, type: RecordType): Promise<Answer[]> {
    return queryRecords({ server: this.server, port: this.port, timeoutMs: this.#timeoutMs }, name, type);
  }
}
