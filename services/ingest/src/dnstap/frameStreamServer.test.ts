import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameStreamServer, type FrameStreamServerOptions } from './frameStreamServer.js';
import {
  ControlType,
  DNSTAP_CONTENT_TYPE,
  encodeControlFrame,
  encodeDataFrame,
  type Frame,
  FrameDecoder,
} from './frameStreams.js';

/** Minimal fstrm writer, playing the part of BIND. */
class TestWriter {
  readonly received: Frame[] = [];
  readonly closed: Promise<unknown>;
  private readonly decoder = new FrameDecoder();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.received.push(...this.decoder.feed(chunk)));
    socket.on('error', () => undefined);
    this.closed = once(socket, 'close');
  }

  static async connect(target: string | net.AddressInfo): Promise<TestWriter> {
    const socket =
      typeof target === 'string' ? net.connect(target) : net.connect(target.port, target.address);
    await once(socket, 'connect');
    return new TestWriter(socket);
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames));
  }

  async waitForControl(type: ControlType): Promise<Frame> {
    await vi.waitFor(() =>
      expect(this.received.some((f) => f.kind === 'control' && f.type === type)).toBe(true),
    );
    const frame = this.received.find((f) => f.kind === 'control' && f.type === type);
    if (!frame) throw new Error('unreachable');
    return frame;
  }
}

const payloads = (n: number, size = 32): Buffer[] =>
  Array.from({ length: n }, (_, i) => Buffer.alloc(size, `frame-${i};`));

let dir: string;
let servers: FrameStreamServer[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdme-fstrm-'));
  servers = [];
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close(100)));
  await rm(dir, { recursive: true, force: true });
});

async function startServer(
  options: Partial<FrameStreamServerOptions> & Pick<FrameStreamServerOptions, 'onData'>,
): Promise<FrameStreamServer> {
  const server = new FrameStreamServer({ socketPath: join(dir, 'dnstap.sock'), ...options });
  servers.push(server);
  await server.listen();
  return server;
}

async function bidirectionalSession(writer: TestWriter, data: Buffer[]): Promise<void> {
  writer.send(encodeControlFrame(ControlType.READY, ['protobuf:other', DNSTAP_CONTENT_TYPE]));
  const accept = await writer.waitForControl(ControlType.ACCEPT);
  expect(accept).toMatchObject({ contentTypes: [DNSTAP_CONTENT_TYPE] });
  writer.send(encodeControlFrame(ControlType.START, [DNSTAP_CONTENT_TYPE]), ...data.map(encodeDataFrame));
  writer.send(encodeControlFrame(ControlType.STOP));
  await writer.waitForControl(ControlType.FINISH);
  await writer.closed;
}

describe('FrameStreamServer', () => {
  it('does the bidirectional handshake on a unix socket and delivers data frames in order', async () => {
    const got: string[] = [];
    const server = await startServer({ onData: (payload) => void got.push(payload.toString()) });
    expect((await stat(join(dir, 'dnstap.sock'))).mode & 0o777).toBe(0o666);

    const writer = await TestWriter.connect(join(dir, 'dnstap.sock'));
    const data = payloads(100);
    await bidirectionalSession(writer, data);

    expect(got).toEqual(data.map(String));
    await vi.waitFor(() => expect(server.stats.connectionsActive).toBe(0));
    expect(server.stats).toMatchObject({
      connectionsAccepted: 1,
      dataFrames: 100,
      controlFrames: 3,
      errors: 0,
    });
    expect(server.stats.bytes).toBeGreaterThan(100 * 36);
  });

  it('does the same over TCP', async () => {
    const got: Buffer[] = [];
    const server = new FrameStreamServer({
      tcp: { host: '127.0.0.1', port: 0 },
      onData: (p) => void got.push(p),
    });
    servers.push(server);
    await server.listen();
    const address = server.tcpAddress();
    if (!address) throw new Error('no tcp address');
    await bidirectionalSession(await TestWriter.connect(address), payloads(10));
    expect(got).toHaveLength(10);
  });

  it('accepts unidirectional writers that start with START', async () => {
    const got: Buffer[] = [];
    await startServer({ onData: (p) => void got.push(p) });
    const writer = await TestWriter.connect(join(dir, 'dnstap.sock'));
    writer.send(encodeControlFrame(ControlType.START), ...payloads(5).map(encodeDataFrame));
    writer.send(encodeControlFrame(ControlType.STOP));
    await writer.closed;
    expect(got).toHaveLength(5);
    expect(writer.received).toEqual([]);
  });

  it('rejects a writer offering another content type, and keeps serving others', async () => {
    const errors: string[] = [];
    const got: Buffer[] = [];
    await startServer({ onData: (p) => void got.push(p), onError: (reason) => void errors.push(reason) });
    const bad = await TestWriter.connect(join(dir, 'dnstap.sock'));
    bad.send(encodeControlFrame(ControlType.READY, ['protobuf:other']));
    await bad.closed;
    expect(errors).toEqual(['content-type-mismatch']);
    await bidirectionalSession(await TestWriter.connect(join(dir, 'dnstap.sock')), payloads(3));
    expect(got).toHaveLength(3);
  });

  it('destroys only the connection that sends a malformed or oversized frame', async () => {
    const errors: Array<[string, number]> = [];
    const got: Buffer[] = [];
    await startServer({
      maxDataFrameBytes: 1000,
      onData: (p) => void got.push(p),
      onError: (reason, id) => void errors.push([reason, id]),
    });
    const good = await TestWriter.connect(join(dir, 'dnstap.sock'));
    good.send(encodeControlFrame(ControlType.START), encodeDataFrame(Buffer.from('before')));
    const bad = await TestWriter.connect(join(dir, 'dnstap.sock'));
    bad.send(encodeControlFrame(ControlType.START), encodeDataFrame(Buffer.alloc(1001)));
    await bad.closed;
    const garbage = await TestWriter.connect(join(dir, 'dnstap.sock'));
    garbage.send(Buffer.from([0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 77]));
    await garbage.closed;
    const early = await TestWriter.connect(join(dir, 'dnstap.sock'));
    early.send(encodeDataFrame(Buffer.from('data before START')));
    await early.closed;

    good.send(encodeDataFrame(Buffer.from('after')), encodeControlFrame(ControlType.STOP));
    await good.closed;
    expect(got.map(String)).toEqual(['before', 'after']);
    expect(errors.map(([reason]) => reason)).toEqual([
      'data-frame-too-large',
      'unknown-control-type',
      'unexpected-data',
    ]);
    expect(new Set(errors.map(([, id]) => id)).size).toBe(3);
  });

  it('reports a connection that ends inside a frame', async () => {
    const errors: string[] = [];
    await startServer({ onData: () => undefined, onError: (reason) => void errors.push(reason) });
    const writer = await TestWriter.connect(join(dir, 'dnstap.sock'));
    writer.socket.end(
      Buffer.concat([
        encodeControlFrame(ControlType.START),
        encodeDataFrame(Buffer.alloc(50)).subarray(0, 20),
      ]),
    );
    await writer.closed;
    await vi.waitFor(() => expect(errors).toEqual(['truncated']));
  });

  it('drops a peer that never completes the handshake', async () => {
    const errors: string[] = [];
    await startServer({
      handshakeTimeoutMs: 50,
      onData: () => undefined,
      onError: (r) => void errors.push(r),
    });
    const writer = await TestWriter.connect(join(dir, 'dnstap.sock'));
    await writer.closed;
    expect(errors).toEqual(['handshake-timeout']);
  });

  it('reports consumer failures without dropping the connection', async () => {
    const errors: string[] = [];
    let n = 0;
    await startServer({
      onError: (reason) => void errors.push(reason),
      onData: (payload) => {
        n++;
        if (payload.toString() === 'throw') throw new Error('sync');
        if (payload.toString() === 'reject') return Promise.reject(new Error('async'));
        return undefined;
      },
    });
    const writer = await TestWriter.connect(join(dir, 'dnstap.sock'));
    writer.send(
      encodeControlFrame(ControlType.START),
      ...['throw', 'reject', 'ok'].map((s) => encodeDataFrame(Buffer.from(s))),
      encodeControlFrame(ControlType.STOP),
    );
    await writer.closed;
    expect(n).toBe(3);
    expect(errors).toEqual(['consumer-error', 'consumer-error']);
  });

  it('pauses the socket while the consumer is busy, so a slow consumer loses nothing and memory stays bounded', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const got: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const server = await startServer({
      onData: async (payload) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await gate;
        got.push(payload.readUInt32BE(0));
        inFlight--;
      },
    });
    const writer = await TestWriter.connect(join(dir, 'dnstap.sock'));
    writer.send(encodeControlFrame(ControlType.START));
    const frames = 4000;
    const frameSize = 8 * 1024; // 32 MiB in total, far more than socket buffers hold
    const sending = (async () => {
      for (let i = 0; i < frames; i++) {
        const payload = Buffer.alloc(frameSize);
        payload.writeUInt32BE(i, 0);
        if (!writer.socket.write(encodeDataFrame(payload))) await once(writer.socket, 'drain');
      }
      writer.socket.write(encodeControlFrame(ControlType.STOP));
    })();

    await new Promise((resolve) => setTimeout(resolve, 300));
    // While blocked, the server has only read what fits in kernel and stream buffers.
    expect(server.stats.bytes).toBeLessThan(4 * 1024 * 1024);
    expect(got).toEqual([]);
    release();
    await sending;
    await writer.closed;
    expect(got).toEqual(Array.from({ length: frames }, (_, i) => i));
    expect(maxInFlight).toBe(1);
  }, 20_000);

  it('close() delivers frames already received, then closes connections', async () => {
    const got: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = await startServer({
      onData: async (payload) => {
        if (got.length === 0) await gate;
        got.push(payload.toString());
      },
    });
    const writer = await TestWriter.connect(join(dir, 'dnstap.sock'));
    writer.send(
      encodeControlFrame(ControlType.START),
      ...['a', 'b', 'c'].map((s) => encodeDataFrame(Buffer.from(s))),
    );
    await vi.waitFor(() => expect(server.stats.bytes).toBeGreaterThanOrEqual(8 + 4 + 15));
    const closing = server.close(5000);
    release();
    await closing;
    await writer.closed;
    expect(got).toEqual(['a', 'b', 'c']);
    expect(server.stats.connectionsActive).toBe(0);
  });

  it('close() gives up on a stuck consumer after the timeout', async () => {
    const server = await startServer({ onData: () => new Promise<void>(() => undefined) });
    const writer = await TestWriter.connect(join(dir, 'dnstap.sock'));
    writer.send(encodeControlFrame(ControlType.START), encodeDataFrame(Buffer.from('x')));
    await vi.waitFor(() => expect(server.stats.dataFrames).toBe(1));
    const started = Date.now();
    await server.close(100);
    expect(Date.now() - started).toBeLessThan(2000);
    await writer.closed;
  });

  it('replaces a stale socket file but refuses live sockets and regular files', async () => {
    const path = join(dir, 'dnstap.sock');
    const stale = net.createServer();
    stale.listen(path);
    await once(stale, 'listening');
    // A live listener must not be stolen.
    await expect(
      new FrameStreamServer({ socketPath: path, onData: () => undefined }).listen(),
    ).rejects.toThrow(/another process/);
    await new Promise<void>((resolve) => stale.close(() => resolve()));
    // A crashed process leaves its socket file behind (a clean close unlinks it), so crash one.
    const crashed = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    await once(crashed, 'exit');
    expect((await stat(path)).isSocket()).toBe(true);
    await startServer({ onData: () => undefined });
    await bidirectionalSession(await TestWriter.connect(path), payloads(1));

    const file = join(dir, 'not-a-socket');
    await writeFile(file, 'keep me');
    await expect(
      new FrameStreamServer({ socketPath: file, onData: () => undefined }).listen(),
    ).rejects.toThrow(/not a socket/);
  });
});
