/**
 * One request/response exchange over UDP or TCP (RFC 1035 §4.2, 2-byte length prefix on TCP).
 * Every exchange uses its own socket, so concurrent exchanges never see each other's answers.
 */
import { createSocket } from 'node:dgram';
import { createConnection, isIPv6 } from 'node:net';

export type TransportProtocol = 'udp' | 'tcp';

export class TransportError extends Error {
  readonly kind: 'TIMEOUT' | 'NETWORK';
  readonly protocol: TransportProtocol;

  constructor(kind: 'TIMEOUT' | 'NETWORK', protocol: TransportProtocol, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TransportError';
    this.kind = kind;
    this.protocol = protocol;
  }
}

export interface ExchangeTarget {
  server: string;
  port: number;
}

/** Largest datagram we accept (no EDNS is sent, but be lenient with what servers return). */
const MAX_UDP_RESPONSE = 65535;

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/**
 * Sends `request` in one datagram and resolves with the first datagram for which `matches` is true
 * (others, e.g. late answers with another id, are ignored). The socket is connected, so only
 * datagrams from the server's address/port are delivered, and ICMP port unreachable surfaces as
 * ECONNREFUSED.
 */
export function exchangeUdp(
  target: ExchangeTarget,
  request: Buffer,
  timeoutMs: number,
  matches: (response: Buffer) => boolean,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(target.server) ? 'udp6' : 'udp4', recvBufferSize: 1 << 16 });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('message');
      socket.on('error', () => undefined);
      try {
        socket.close();
      } catch {
        // already closed
      }
      fn();
    };
    const timer = setTimeout(() => {
      finish(() => reject(new TransportError('TIMEOUT', 'udp', `no UDP response within ${timeoutMs} ms`)));
    }, timeoutMs);
    socket.on('error', (err) => {
      finish(() => reject(new TransportError('NETWORK', 'udp', `UDP error: ${errorText(err)}`, err)));
    });
    socket.on('message', (msg) => {
      if (msg.length > MAX_UDP_RESPONSE) return;
      if (matches(msg)) finish(() => resolve(msg));
    });
    socket.connect(target.port, target.server, () => {
      socket.send(request, (err) => {
        if (err)
          finish(() =>
            reject(new TransportError('NETWORK', 'udp', `UDP send failed: ${errorText(err)}`, err)),
          );
      });
    });
  });
}

/** Sends `request` over a fresh TCP connection and resolves with the first framed response. */
export function exchangeTcp(target: ExchangeTarget, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    if (request.length > 0xffff) {
      reject(
        new TransportError('NETWORK', 'tcp', `message of ${request.length} bytes too large for TCP framing`),
      );
      return;
    }
    const socket = createConnection({ host: target.server, port: target.port });
    socket.setNoDelay(true);
    let settled = false;
    let received = Buffer.alloc(0);
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.on('error', () => undefined);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(() => {
      finish(() => reject(new TransportError('TIMEOUT', 'tcp', `no TCP response within ${timeoutMs} ms`)));
    }, timeoutMs);
    socket.on('error', (err) => {
      finish(() => reject(new TransportError('NETWORK', 'tcp', `TCP error: ${errorText(err)}`, err)));
    });
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(request.length, 0);
      socket.write(Buffer.concat([length, request]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const expected = received.readUInt16BE(0);
      if (received.length < 2 + expected) return;
      const message = Buffer.from(received.subarray(2, 2 + expected));
      finish(() => resolve(message));
    });
    socket.on('end', () => {
      finish(() =>
        reject(
          new TransportError(
            'NETWORK',
            'tcp',
            `server closed the TCP connection after ${received.length} bytes`,
          ),
        ),
      );
    });
  });
}
