/**
 * RFC 2136 + TSIG client against a real BIND 9 `named` started for this file on 127.0.0.1:<free port>.
 * Skipped when BIND (named, tsig-keygen, dig) is not installed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DnsUpdateClient } from '../src/rfc2136/client.js';
import { DnsUpdateError } from '../src/rfc2136/errors.js';
import { exchangeUdp } from '../src/rfc2136/transport.js';
import { TSIG_ERROR, readTsig, signMessage, type TsigKey } from '../src/rfc2136/tsig.js';
import { buildUpdateMessage, type UpdateRequest } from '../src/rfc2136/updateMessage.js';
import { readHeader } from '../src/rfc2136/wire.js';
import { bindToolsMissing, findFreePort, findTool, startBind, type BindServer } from './bindServer.js';

const run = promisify(execFile);
const missing = bindToolsMissing();
const suite = missing.length === 0 ? describe : describe.skip;
const title =
  missing.length === 0
    ? 'RFC 2136 UPDATE + TSIG against BIND'
    : `RFC 2136 UPDATE + TSIG against BIND (skipped: ${missing.join(', ')} not installed)`;

const ZONE = 'test.pdme';
const HOST = `www.${ZONE}`;
const OWNER = `_pdme.${HOST}`;
const OWNERSHIP = 'pdme:owner=dns-updater';

suite(title, () => {
  let bind: BindServer;
  let client: DnsUpdateClient;

  const dig = async (name: string, type: string): Promise<string[]> => {
    const digPath = findTool('dig') ?? 'dig';
    const { stdout } = await run(digPath, [
      '@127.0.0.1',
      '-p',
      String(bind.port),
      '+short',
      '+norec',
      '+time=2',
      '+tries=1',
      name,
      type,
    ]);
    return stdout.split('\n').filter((line) => line !== '');
  };

  const expectFailure = async (promise: Promise<unknown>): Promise<DnsUpdateError> => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof DnsUpdateError)) throw new Error(`expected DnsUpdateError, got ${String(err)}`);
    return err;
  };

  beforeAll(async () => {
    bind = await startBind({ zone: ZONE });
    client = new DnsUpdateClient({ server: '127.0.0.1', port: bind.port, key: bind.key, timeoutMs: 3000 });
  });

  afterAll(async () => {
    await bind?.stop();
  });

  it('adds a CNAME and its ownership TXT in one signed message, guarded by "name not in use"', async () => {
    const res = await client.send({
      zone: ZONE,
      prerequisites: [{ kind: 'nameNotInUse', name: HOST }],
      updates: [
        { kind: 'add', record: { name: HOST, type: 'CNAME', ttl: 60, data: 'edge1.cdn.example.' } },
        { kind: 'add', record: { name: OWNER, type: 'TXT', ttl: 60, data: OWNERSHIP } },
      ],
    });
    expect(res).toMatchObject({ rcode: 0, protocol: 'udp', signed: true });

    expect(await dig(HOST, 'CNAME')).toEqual(['edge1.cdn.example.']);
    expect(await dig(OWNER, 'TXT')).toEqual([`"${OWNERSHIP}"`]);
    const answers = await client.query(HOST, 'CNAME');
    expect(answers).toEqual([
      expect.objectContaining({ name: HOST, type: 'CNAME', ttl: 60, data: 'edge1.cdn.example' }),
    ]);
  });

  it('replaces the CNAME when the ownership TXT matches (value-dependent prerequisite)', async () => {
    await client.send({
      zone: ZONE,
      prerequisites: [
        { kind: 'rrsetExistsValue', name: OWNER, records: [{ type: 'TXT', data: OWNERSHIP }] },
        { kind: 'rrsetExists', name: HOST, type: 'CNAME' },
      ],
      updates: [
        { kind: 'deleteRRset', name: HOST, type: 'CNAME' },
        { kind: 'add', record: { name: HOST, type: 'CNAME', ttl: 30, data: 'edge2.cdn.example' } },
      ],
    });
    expect(await dig(HOST, 'CNAME')).toEqual(['edge2.cdn.example.']);
    expect((await client.query(HOST, 'CNAME'))[0]).toMatchObject({ data: 'edge2.cdn.example', ttl: 30 });
  });

  it('fails prerequisites with YXDOMAIN / NXRRSET (not retryable) and changes nothing', async () => {
    const taken = await expectFailure(
      client.send({
        zone: ZONE,
        prerequisites: [{ kind: 'nameNotInUse', name: HOST }],
        updates: [{ kind: 'add', record: { name: HOST, type: 'CNAME', ttl: 60, data: 'evil.example' } }],
      }),
    );
    expect(taken).toMatchObject({ code: 'YXDOMAIN', rcode: 6, retryable: false, zone: ZONE });
    expect(taken.message).toContain(`127.0.0.1:${bind.port}`);
    expect(taken.message).toContain(`name ${HOST} not in use`);

    const notOurs = await expectFailure(
      client.send({
        zone: ZONE,
        prerequisites: [
          { kind: 'rrsetExistsValue', name: OWNER, records: [{ type: 'TXT', data: 'someone-else' }] },
        ],
        updates: [{ kind: 'deleteRRset', name: HOST, type: 'CNAME' }],
      }),
    );
    expect(notOurs).toMatchObject({ code: 'NXRRSET', rcode: 8, retryable: false });
    expect(await dig(HOST, 'CNAME')).toEqual(['edge2.cdn.example.']);
  });

  it('wrong secret: BIND answers NOTAUTH with TSIG error BADSIG (unsigned); we raise BADSIG', async () => {
    const wrongSecret: TsigKey = { ...bind.key, secret: Buffer.alloc(32, 0x5a) };
    const bad = new DnsUpdateClient({
      server: '127.0.0.1',
      port: bind.port,
      key: wrongSecret,
      timeoutMs: 3000,
    });
    const update: UpdateRequest = { zone: ZONE, updates: [{ kind: 'deleteName', name: HOST }] };
    const err = await expectFailure(bad.send(update));
    expect(err).toMatchObject({
      code: 'BADSIG',
      rcode: 9, // NOTAUTH in the header
      tsigError: TSIG_ERROR.BADSIG,
      tsigOrigin: 'server',
      retryable: false,
    });

    // The raw answer, as BIND sends it.
    const signed = signMessage(buildUpdateMessage(update, 0x4242), wrongSecret);
    const raw = await exchangeUdp({ server: '127.0.0.1', port: bind.port }, signed.wire, 3000, () => true);
    expect(readHeader(raw)).toMatchObject({ id: 0x4242, qr: true, opcode: 5, rcode: 9, arcount: 1 });
    expect(readTsig(raw)).toMatchObject({
      keyName: 'pdme-update',
      algorithm: 'hmac-sha256',
      timeSigned: signed.timeSigned, // echoes our time
      error: TSIG_ERROR.BADSIG,
      originalId: 0x4242,
      mac: Buffer.alloc(0), // unsigned
      otherData: Buffer.alloc(0),
    });
    expect(await dig(HOST, 'CNAME')).toEqual(['edge2.cdn.example.']);
  });

  it('unknown key name: NOTAUTH with TSIG error BADKEY', async () => {
    const unknown = new DnsUpdateClient({
      server: '127.0.0.1',
      port: bind.port,
      key: { ...bind.key, name: 'not-configured' },
    });
    const err = await expectFailure(
      unknown.send({ zone: ZONE, updates: [{ kind: 'deleteName', name: HOST }] }),
    );
    expect(err).toMatchObject({ code: 'BADKEY', rcode: 9, tsigError: TSIG_ERROR.BADKEY, retryable: false });
  });

  it('clock skew beyond the fudge: signed BADTIME carrying the server clock', async () => {
    const skewed = new DnsUpdateClient({
      server: '127.0.0.1',
      port: bind.port,
      key: bind.key,
      clock: () => Date.now() - 3_600_000,
    });
    const err = await expectFailure(
      skewed.send({ zone: ZONE, updates: [{ kind: 'deleteName', name: HOST }] }),
    );
    expect(err).toMatchObject({ code: 'BADTIME', rcode: 9, tsigError: TSIG_ERROR.BADTIME, retryable: false });
    expect(err.message).toMatch(/server time \d+/);
  });

  it('unsigned update: REFUSED', async () => {
    const unsigned = new DnsUpdateClient({ server: '127.0.0.1', port: bind.port });
    const err = await expectFailure(
      unsigned.send({ zone: ZONE, updates: [{ kind: 'deleteName', name: HOST }] }),
    );
    expect(err).toMatchObject({ code: 'REFUSED', rcode: 5, retryable: false });
    expect(await dig(HOST, 'CNAME')).toEqual(['edge2.cdn.example.']);
  });

  it('batch of 100 adds in one message goes over TCP and is applied atomically', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `batch-${i}.${ZONE}`);
    const res = await client.send({
      zone: ZONE,
      prerequisites: names.map((name) => ({ kind: 'nameNotInUse' as const, name })),
      updates: names.map((name, i) => ({
        kind: 'add' as const,
        record: { name, type: 'CNAME' as const, ttl: 60, data: `edge${i % 7}.cdn.example` },
      })),
    });
    expect(res.protocol).toBe('tcp');
    expect(res.requestBytes).toBeGreaterThan(512);
    expect(res.signed).toBe(true);
    for (const [i, name] of names.entries()) {
      expect((await client.query(name, 'CNAME'))[0]).toMatchObject({ data: `edge${i % 7}.cdn.example` });
    }
    expect(await dig(names[99] ?? '', 'CNAME')).toEqual(['edge1.cdn.example.']);
  });

  it('deletes by name and by single record', async () => {
    await client.send({
      zone: ZONE,
      updates: [
        { kind: 'deleteRecord', record: { name: OWNER, type: 'TXT', data: OWNERSHIP } },
        { kind: 'deleteName', name: HOST },
      ],
    });
    expect(await dig(HOST, 'CNAME')).toEqual([]);
    expect(await client.query(OWNER, 'TXT')).toEqual([]);
  });

  it('server down (nothing on the port): retryable NETWORK or TIMEOUT', async () => {
    const down = new DnsUpdateClient({
      server: '127.0.0.1',
      port: await findFreePort(),
      key: bind.key,
      timeoutMs: 500,
    });
    const err = await expectFailure(down.send({ zone: ZONE, updates: [{ kind: 'deleteName', name: HOST }] }));
    expect(['NETWORK', 'TIMEOUT']).toContain(err.code);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(ZONE);
  });
});
