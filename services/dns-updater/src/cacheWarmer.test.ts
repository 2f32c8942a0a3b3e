import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warmAndVerify } from './cacheWarmer.js';
import { httpHealthCheck } from './healthCheck.js';

// A self-signed certificate for 127.0.0.1, made with the openssl CLI (the secure stack uses it too).
const dir = mkdtempSync(join(tmpdir(), 'pdme-warm-tls-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
execFileSync('openssl', [
  'req',
  '-x509',
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:prime256v1',
  '-nodes',
  '-keyout',
  keyFile,
  '-out',
  certFile,
  '-days',
  '1',
  '-subj',
  '/CN=cache-test',
  '-addext',
  'subjectAltName=IP:127.0.0.1',
]);
const ca = readFileSync(certFile);

describe('warming a cache over HTTPS', () => {
  let server: Server;
  let port = 0;
  const seen: { host: string | undefined; sni: string | false }[] = [];
  const cached = new Set<string>();

  beforeAll(async () => {
    server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
      // `servername` is set on server-side sockets (false without SNI) but missing from @types/node.
      const socket = req.socket as TLSSocket & { servername?: string | false };
      seen.push({ host: req.headers.host, sni: socket.servername ?? false });
      const key = `${req.headers.host ?? ''}${req.url ?? ''}`;
      res.setHeader('x-cache-status', cached.has(key) ? 'HIT' : 'MISS');
      cached.add(key);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks the cache by its address and never sends the resource as SNI', async () => {
    const target = { resource: 'video-secret.cdn.pdme.test', address: '127.0.0.1', port, paths: ['/'] };
    await expect(warmAndVerify(target, { timeoutMs: 5_000, concurrency: 1, tls: { ca } })).resolves.toEqual({
      bytes: 2,
    });
    expect(seen.map((s) => s.host)).toEqual(['video-secret.cdn.pdme.test', 'video-secret.cdn.pdme.test']);
    // No SNI: a ClientHello naming the resource would show it to anyone on the path.
    expect(seen.every((s) => s.sni === false)).toBe(true);
  });

  it('refuses a cache whose certificate the CA did not sign', async () => {
    const target = { resource: 'video-x.cdn.pdme.test', address: '127.0.0.1', port, paths: ['/'] };
    await expect(warmAndVerify(target, { timeoutMs: 5_000, concurrency: 1, tls: {} })).rejects.toThrow(
      /self-signed|unable to verify/,
    );
  });

  it('health-checks over HTTPS with the CA', async () => {
    const server = { id: 's', host: 's.cdn.pdme.test', address: '127.0.0.1', port } as Parameters<
      ReturnType<typeof httpHealthCheck>
    >[0];
    expect(await httpHealthCheck(2_000, { ca })(server)).toBe(true);
    expect(await httpHealthCheck(2_000)(server)).toBe(false); // plain HTTP to a TLS port
  });
});
