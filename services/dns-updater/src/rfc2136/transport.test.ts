import { createServer, type Server, type Socket } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { TransportError, exchangeTcp, exchangeUdp } from './transport.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function tcpServer(onConnection: (socket: Socket) => void): Promise<number> {
  const srv = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  servers.push(srv);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const address = srv.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A port nobody listens on (bound then released). */
async function closedPort(): Promise<number> {
  const port = await tcpServer(() => undefined);
  const srv = servers.pop();
  await new Promise<void>((resolve) => srv?.close(() => resolve()));
  return port;
}

describe('exchangeTcp', () => {
  it('reassembles a length-prefixed response delivered byte by byte', async () => {
    const port = await tcpServer((socket) => {
      socket.once('data', () => {
        void (async () => {
          const frame = Buffer.concat([Buffer.from([0, 5]), Buffer.from('hello')]);
          for (const byte of frame) {
            socket.write(Buffer.from([byte]));
            await new Promise((r) => setTimeout(r, 2));
          }
        })();
      });
    });
    const res = await exchangeTcp({ server: '127.0.0.1', port }, Buffer.from('request'), 1000);
    expect(res.toString()).toBe('hello');
  });

  it('frames the request with a 2-byte length', async () => {
    let seen = Buffer.alloc(0);
    const port = await tcpServer((socket) => {
      socket.on('data', (d: Buffer) => {
        seen = Buffer.concat([seen, d]);
        if (seen.length >= 5) socket.end(Buffer.from([0, 1, 0x2a]));
      });
    });
    await exchangeTcp({ server: '127.0.0.1', port }, Buffer.from('abc'), 1000);
    expect(seen.toString('hex')).toBe('0003616263');
  });

  it('reports NETWORK when refused or closed early, TIMEOUT when silent', async () => {
    const refused = await exchangeTcp(
      { server: '127.0.0.1', port: await closedPort() },
      Buffer.from('x'),
      1000,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransportError);
    expect(refused).toMatchObject({ kind: 'NETWORK', protocol: 'tcp' });

    const early = await tcpServer((socket) => socket.end(Buffer.from([0, 9, 1])));
    await expect(
      exchangeTcp({ server: '127.0.0.1', port: early }, Buffer.from('x'), 1000),
    ).rejects.toMatchObject({
      kind: 'NETWORK',
    });

    const silent = await tcpServer(() => undefined);
    await expect(
      exchangeTcp({ server: '127.0.0.1', port: silent }, Buffer.from('x'), 100),
    ).rejects.toMatchObject({
      kind: 'TIMEOUT',
    });
  });
});

describe('exchangeUdp', () => {
  it('reports ICMP port unreachable as NETWORK (ECONNREFUSED)', async () => {
    const err = await exchangeUdp(
      { server: '127.0.0.1', port: await closedPort() },
      Buffer.from('x'),
      1000,
      () => true,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'NETWORK', protocol: 'udp' });
    expect(String(err)).toContain('ECONNREFUSED');
  });
});
