import { createServer, type RequestListener, type Server } from 'node:http';

export interface RunningHttpServer {
  readonly server: Server;
  /** The bound port (useful when listening on port 0). */
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish for up to graceMs, then drops what is left. */
  close(graceMs?: number): Promise<void>;
}

/** Listens on host:port and resolves once bound (rejects on EADDRINUSE and the like). */
export async function listenHttp(
  handler: RequestListener,
  host: string,
  port: number,
): Promise<RunningHttpServer> {
  const server = createServer(handler);
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
