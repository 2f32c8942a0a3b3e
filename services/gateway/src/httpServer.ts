import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerTls } from './serverTls.js';

export interface RunningHttpServer {
  readonly server: Server;
  /** The bound port (useful when listening on port 0). */
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish for up to graceMs, then drops what is left. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Listens on host:port and resolves once bound (rejects on EADDRINUSE and the like); over HTTPS when
 * `tls` is given, asking for a client certificate only when it names a client CA.
 */
export async function listenHttp(
  handler: RequestListener,
  host: string,
  port: number,
  tls?: ServerTls,
): Promise<RunningHttpServer> {
  const server: Server =
    tls === undefined
      ? createServer(handler)
      : createHttpsServer(
          {
            cert: tls.cert,
            key: tls.key,
            minVersion: 'TLSv1.2',
            ...(tls.clientCa === undefined
              ? {}
              : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }),
          },
          handler,
        );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    server,
    port: bound,
    close(graceMs = 5_000) {
      closing ??= new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close((error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
