import { afterEach, describe, expect, it } from 'vitest';

import { DnsUpdateClient, MAX_UDP_MESSAGE } from './client.js';
import { DnsUpdateError } from './errors.js';
import { reply, startFakeDnsServer, type FakeDnsServer, type FakeHandler } from './fakeDnsServer.testutil.js';
import { TSIG_ERROR, verifyMessage, type TsigKey } from './tsig.js';
import type { UpdateRequest } from './updateMessage.js';
import { readHeader } from './wire.js';

const KEY: TsigKey = { name: 'pdme-update', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 0x11) };
const UPDATE: UpdateRequest = {
  zone: 'test.pdme',
  prerequisites: [{ kind: 'nameNotInUse', name: 'www.test.pdme' }],
  updates: [{ kind: 'add', record: { name: 'www.test.pdme', type: 'CNAME', ttl: 60, data: 'edge.example' } }],
};

let server: FakeDnsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(handler: FakeHandler, options: { key?: TsigKey; timeoutMs?: number } = {}) {
  server = await startFakeDnsServer(handler);
  return new DnsUpdateClient({ server: '127.0.0.1', port: server.port, timeoutMs: 1000, ...options });
}

async function failure(promise: Promise<unknown>): Promise<DnsUpdateError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DnsUpdateError) return err;
    throw err;
  }
  throw new Error('expected a DnsUpdateError');
}

describe('DnsUpdateClient.send', () => {
  it('signs the request and accepts a signed NOERROR response', async () => {
    const client = await clientFor((req) => [reply(req, { signWith: KEY })], { key: KEY });
    const res = await client.send(UPDATE);
    expect(res).toMatchObject({ rcode: 0, protocol: 'udp', signed: true });
    const sent = server?.requests[0]?.message;
    if (sent === undefined) throw new Error('nothing sent');
    expect(readHeader(sent)).toMatchObject({ opcode: 5, id: res.id });
    expect(verifyMessage(sent, KEY).status).toBe('ok');
  });

  it('ignores datagrams with another id and waits for the right one', async () => {
    const client = await clientFor(
      (req) => [
        reply(req, { id: (readHeader(req).id + 1) & 0xffff, rcode: 2 }),
        reply(req, { signWith: KEY }),
      ],
      { key: KEY },
    );
    await expect(client.send(UPDATE)).resolves.toMatchObject({ rcode: 0 });
  });

  it('falls back to TCP when the UDP response is truncated', async () => {
    const client = await clientFor(
      (req, protocol) => [protocol === 'udp' ? reply(req, { tc: true }) : reply(req, { signWith: KEY })],
      { key: KEY },
    );
    const res = await client.send(UPDATE);
    expect(res.protocol).toBe('tcp');
    expect(server?.requests.map((r) => r.protocol)).toEqual(['udp', 'tcp']);
  });

  it('goes straight to TCP for messages over 512 bytes', async () => {
    const client = await clientFor((req) => [reply(req, { signWith: KEY })], { key: KEY });
    const updates = Array.from({ length: 30 }, (_, i) => ({
      kind: 'add' as const,
      record: { name: `n${i}.test.pdme`, type: 'A' as const, ttl: 60, data: '192.0.2.1' },
    }));
    const res = await client.send({ zone: 'test.pdme', updates });
    expect(res.requestBytes).toBeGreaterThan(MAX_UDP_MESSAGE);
    expect(res.protocol).toBe('tcp');
    expect(server?.requests.map((r) => r.protocol)).toEqual(['tcp']);
  });

  it('maps RCODEs to typed, non-retryable prerequisite errors naming server, zone and prerequisites', async () => {
    const client = await clientFor((req) => [reply(req, { rcode: 6, signWith: KEY })], { key: KEY });
    const err = await failure(client.send(UPDATE));
    expect(err).toMatchObject({
      code: 'YXDOMAIN',
      retryable: false,
      rcode: 6,
      zone: 'test.pdme',
      port: server?.port,
    });
    expect(err.message).toContain(`127.0.0.1:${server?.port}`);
    expect(err.message).toContain('"test.pdme"');
    expect(err.message).toContain('name www.test.pdme not in use');
  });

  it.each([
    [1, 'FORMERR', false],
    [2, 'SERVFAIL', true],
    [3, 'NXDOMAIN', false],
    [4, 'NOTIMP', false],
    [5, 'REFUSED', false],
    [7, 'YXRRSET', false],
    [8, 'NXRRSET', false],
    [9, 'NOTAUTH', false],
    [10, 'NOTZONE', false],
    [13, 'BAD_RESPONSE', false],
  ] as const)('rcode %i → %s (retryable %s)', async (rcode, code, retryable) => {
    const client = await clientFor((req) => [reply(req, { rcode, signWith: KEY })], { key: KEY });
    await expect(failure(client.send(UPDATE))).resolves.toMatchObject({ code, retryable, rcode });
  });

  it('reports a server-side TSIG error (unsigned BADSIG with NOTAUTH)', async () => {
    // What BIND does: rcode NOTAUTH, TSIG error BADSIG, MAC size 0 (unsigned).
    const client = await clientFor(
      (req) => [reply(req, { rcode: 9, unsignedTsigError: { keyName: KEY.name, error: TSIG_ERROR.BADSIG } })],
      { key: KEY },
    );
    const err = await failure(client.send(UPDATE));
    expect(err).toMatchObject({
      code: 'BADSIG',
      rcode: 9,
      tsigError: 16,
      tsigOrigin: 'server',
      retryable: false,
    });
  });

  it('rejects responses whose TSIG does not verify or is missing', async () => {
    const other: TsigKey = { ...KEY, secret: Buffer.alloc(32, 0x22) };
    let client = await clientFor((req) => [reply(req, { signWith: other })], { key: KEY });
    await expect(failure(client.send(UPDATE))).resolves.toMatchObject({
      code: 'BADSIG',
      tsigOrigin: 'client',
    });
    await server?.close();

    client = await clientFor((req) => [reply(req)], { key: KEY });
    await expect(failure(client.send(UPDATE))).resolves.toMatchObject({
      code: 'BAD_RESPONSE',
      retryable: false,
    });
    await server?.close();

    // An unsigned error response is still reported by its RCODE.
    client = await clientFor((req) => [reply(req, { rcode: 5 })], { key: KEY });
    const err = await failure(client.send(UPDATE));
    expect(err).toMatchObject({ code: 'REFUSED' });
    expect(err.message).toContain('not signed');
    await server?.close();

    // Response signed far in the past: our own BADTIME check.
    client = await clientFor((req) => [reply(req, { signWith: KEY, timeSigned: 1000 })], { key: KEY });
    await expect(failure(client.send(UPDATE))).resolves.toMatchObject({
      code: 'BADTIME',
      tsigOrigin: 'client',
    });
  });

  it('rejects a response that is not an UPDATE response', async () => {
    let client = await clientFor((req) => [reply(req, { qr: false })]);
    await expect(failure(client.send(UPDATE))).resolves.toMatchObject({ code: 'BAD_RESPONSE' });
    await server?.close();
    client = await clientFor((req) => [reply(req, { opcode: 0 })]);
    await expect(failure(client.send(UPDATE))).resolves.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('times out with a retryable TIMEOUT', async () => {
    const client = await clientFor(() => [], { timeoutMs: 200 });
    const err = await failure(client.send(UPDATE));
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true, protocol: 'udp' });
  });

  it('accepts an unsigned response when no key is configured', async () => {
    const client = await clientFor((req) => [reply(req)]);
    await expect(client.send(UPDATE)).resolves.toMatchObject({ signed: false });
  });

  it('throws on invalid input before sending anything', async () => {
    const client = await clientFor((req) => [reply(req)]);
    await expect(
      client.send({ zone: 'test.pdme', updates: [{ kind: 'deleteName', name: 'x.other' }] }),
    ).rejects.toThrow(/not in zone/);
    expect(server?.requests).toHaveLength(0);
    expect(() => new DnsUpdateClient({ server: '127.0.0.1', port: 0 })).toThrow(RangeError);
  });
});
