import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';

import { DnsUpdateError } from './errors.js';
import { reply, startFakeDnsServer, type FakeDnsServer, type FakeHandler } from './fakeDnsServer.testutil.js';
import { queryRecords } from './resolve.js';
import { readHeader } from './wire.js';

let server: FakeDnsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function target(handler: FakeHandler) {
  server = await startFakeDnsServer(handler);
  return { server: '127.0.0.1', port: server.port, timeoutMs: 500 };
}

const answer = (req: Buffer, flags = dnsPacket.AUTHORITATIVE_ANSWER): Buffer =>
  dnsPacket.encode({
    type: 'response',
    id: readHeader(req).id,
    flags,
    questions: [{ name: 'www.test.pdme', type: 'CNAME' }],
    answers: [{ name: 'www.test.pdme', type: 'CNAME', ttl: 60, data: 'edge.example' }],
  });

describe('queryRecords', () => {
  it('sends a non-recursive query and returns the answers', async () => {
    const t = await target((req) => [answer(req)]);
    const answers = await queryRecords(t, 'www.test.pdme.', 'CNAME');
    expect(answers).toEqual([
      expect.objectContaining({ name: 'www.test.pdme', type: 'CNAME', data: 'edge.example' }),
    ]);
    const sent = server?.requests[0]?.message;
    if (sent === undefined) throw new Error('nothing sent');
    expect(readHeader(sent)).toMatchObject({ opcode: 0, rd: false, qdcount: 1 });
  });

  it('returns [] for NXDOMAIN and NODATA', async () => {
    const t = await target((req) => [reply(req, { rcode: 3 })]);
    await expect(queryRecords(t, 'nope.test.pdme', 'A')).resolves.toEqual([]);
  });

  it('retries over TCP when truncated', async () => {
    const t = await target((req, protocol) => [protocol === 'udp' ? reply(req, { tc: true }) : answer(req)]);
    await expect(queryRecords(t, 'www.test.pdme', 'CNAME')).resolves.toHaveLength(1);
    expect(server?.requests.map((r) => r.protocol)).toEqual(['udp', 'tcp']);
  });

  it('raises typed errors for other RCODEs, bad headers and timeouts', async () => {
    let t = await target((req) => [reply(req, { rcode: 5 })]);
    await expect(queryRecords(t, 'www.test.pdme', 'A')).rejects.toMatchObject({ code: 'REFUSED', rcode: 5 });
    await server?.close();
    t = await target((req) => [reply(req, { opcode: 5 })]);
    await expect(queryRecords(t, 'www.test.pdme', 'A')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    await server?.close();
    t = await target(() => []);
    const err = await queryRecords({ ...t, timeoutMs: 100 }, 'www.test.pdme', 'A').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsUpdateError);
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true, zone: undefined });
  });
});
