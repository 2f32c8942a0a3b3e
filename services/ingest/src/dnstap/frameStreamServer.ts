/**
 * Frame Streams reader server: the receiving end of `dnstap-output unix "..."` (BIND) or a TCP
 * fstrm writer (Unbound, dnsdist). Handles the bidirectional handshake
 * (READY -> ACCEPT, START, data..., STOP -> FINISH) and unidirectional writers that begin with START.
 */
import { once } from 'node:events';
import { chmod, lstat, unlink } from 'node:fs/promises';
import net from 'node:net';
import {
  ControlType,
  DNSTAP_CONTENT_TYPE,
  encodeControlFrame,
  type Frame,
  FrameDecoder,
  FrameStreamError,
  type FrameStreamErrorCode,
} from './frameStreams.js';

export type FrameStreamServerErrorReason =
  | FrameStreamErrorCode
  | 'content-type-mismatch'
  | 'unexpected-control'
  | 'unexpected-data'
  | 'handshake-timeout'
  | 'consumer-error'
  | 'socket';

export type FrameStreamServerOptions = {
  /** Unix socket path; a stale socket file is replaced, a live one or a non-socket file is an error. */
  socketPath?: string;
  /** Mode of the socket file. BIND drops root for its own user before dnstap connects, hence 0o666. */
  socketMode?: number;
  /** TCP listener. Raw client addresses cross it unencrypted: prefer a loopback host. */
  tcp?: { host: string; port: number };
  contentType?: string;
  /** Called once per data frame, in order. While a returned promise is pending the socket is paused. */
  onData: (payload: Buffer, connectionId: number) => void | Promise<void>;
  /** A connection was rejected (and destroyed) or the consumer failed a frame (the connection continues). */
  onError?: (reason: FrameStreamServerErrorReason, connectionId: number, detail?: unknown) => void;
  onConnection?: (connectionId: number, remote: string) => void;
  onConnectionClosed?: (connectionId: number) => void;
  maxDataFrameBytes?: number;
  maxControlFrameBytes?: number;
  /** A peer that has not sent START by then is dropped, so idle sockets cannot pile up. */
  handshakeTimeoutMs?: number;
  maxConnections?: number;
  /** Default for close(): how long in-flight frames may take to reach the consumer. */
  drainTimeoutMs?: number;
};

export type FrameStreamServerStats = {
  connectionsAccepted: number;
  connectionsActive: number;
  dataFrames: number;
  controlFrames: number;
  bytes: number;
  errors: number;
};

type Context = {
  options: FrameStreamServerOptions;
  contentType: string;
  stats: FrameStreamServerStats;
};

export class FrameStreamServer {
  private readonly options: FrameStreamServerOptions;
  private readonly counters: FrameStreamServerStats = {
    connectionsAccepted: 0,
    connectionsActive: 0,
    dataFrames: 0,
    controlFrames: 0,
    bytes: 0,
    errors: 0,
  };
  private readonly servers: net.Server[] = [];
  private readonly connections = new Map<number, Connection>();
  private readonly context: Context;
  private nextId = 1;
  private closing: Promise<void> | undefined;
  private tcpServer: net.Server | undefined;

  constructor(options: FrameStreamServerOptions) {
    if (options.socketPath === undefined && options.tcp === undefined) {
      throw new Error('FrameStreamServer needs a socketPath and/or a tcp address');
    }
    this.options = options;
    this.context = { options, contentType: options.contentType ?? DNSTAP_CONTENT_TYPE, stats: this.counters };
  }

  /** A snapshot, so callers cannot disturb the counters. */
  get stats(): FrameStreamServerStats {
    return { ...this.counters };
  }

  /** The bound TCP address (useful with port 0). */
  tcpAddress(): net.AddressInfo | undefined {
    const address = this.tcpServer?.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  async listen(): Promise<void> {
    try {
      const { socketPath, tcp } = this.options;
      if (socketPath !== undefined) {
        await removeStaleSocket(socketPath);
        await this.start((server) => server.listen(socketPath));
        await chmod(socketPath, this.options.socketMode ?? 0o666);
      }
      if (tcp !== undefined) {
        this.tcpServer = await this.start((server) => server.listen(tcp.port, tcp.host));
      }
    } catch (error) {
      await this.close(0);
      throw error;
    }
  }

  /**
   * Stops listening, lets each connection hand its already-received complete frames to the consumer
   * (fstrm has no reader-initiated STOP, so waiting for writers to stop on their own could take
   * forever), then closes it. Connections still busy after timeoutMs are destroyed.
   */
  close(timeoutMs = this.options.drainTimeoutMs ?? 5000): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const stopped = this.servers.map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    const connections = [...this.connections.values()];
    for (const connection of connections) connection.drain();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(connections.map((c) => c.closed)), timedOut]);
    clearTimeout(timer);
    for (const connection of connections) connection.destroy();
    await Promise.all(stopped);
  }

  private async start(bind: (server: net.Server) => void): Promise<net.Server> {
    const server = net.createServer((socket) => this.accept(socket));
    server.maxConnections = this.options.maxConnections ?? 64;
    this.servers.push(server);
    bind(server);
    await once(server, 'listening');
    return server;
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const id = this.nextId++;
    const connection = new Connection(id, socket, this.context);
    this.connections.set(id, connection);
    this.counters.connectionsAccepted++;
    this.counters.connectionsActive++;
    const remote =
      socket.remoteAddress === undefined ? 'unix' : `${socket.remoteAddress}:${socket.remotePort}`;
    this.options.onConnection?.(id, remote);
    void connection.closed.then(() => {
      this.connections.delete(id);
      this.counters.connectionsActive--;
      this.options.onConnectionClosed?.(id);
    });
  }
}

/** One writer. Frames are handled strictly in order; at most one consumer promise is in flight. */
class Connection {
  readonly closed: Promise<void>;
  private readonly decoder: FrameDecoder;
  private phase: 'handshake' | 'started' | 'stopped' = 'handshake';
  private bidirectional = false;
  private waiting = false;
  private peerEnded = false;
  private draining = false;
  private dead = false;
  private readonly handshakeTimer: NodeJS.Timeout;

  constructor(
    private readonly id: number,
    private readonly socket: net.Socket,
    private readonly context: Context,
  ) {
    const { options } = context;
    this.decoder = new FrameDecoder({
      maxDataFrameBytes: options.maxDataFrameBytes,
      maxControlFrameBytes: options.maxControlFrameBytes,
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.handshakeTimer = setTimeout(() => {
      if (this.phase === 'handshake') this.fail('handshake-timeout');
    }, options.handshakeTimeoutMs ?? 10_000);
    this.handshakeTimer.unref();
    socket.once('close', () => clearTimeout(this.handshakeTimer));
    socket.on('error', (error) => this.fail('socket', error));
    socket.on('data', (chunk: Buffer) => {
      context.stats.bytes += chunk.length;
      this.decoder.push(chunk);
      this.pump();
    });
    socket.on('end', () => {
      this.peerEnded = true;
      this.pump();
    });
  }

  /** Server shutdown: read nothing new, deliver what is already decoded-able, then close. */
  drain(): void {
    this.draining = true;
    this.socket.pause();
    this.pump();
  }

  destroy(): void {
    this.dead = true;
    this.socket.destroy();
  }

  private pump(): void {
    while (!this.waiting && !this.dead) {
      let frame: Frame | undefined;
      try {
        frame = this.decoder.next();
      } catch (error) {
        this.fail(error instanceof FrameStreamError ? error.code : 'protocol', error);
        return;
      }
      if (frame === undefined) break;
      const pending = this.handle(frame);
      if (pending) this.wait(pending);
    }
    if (this.waiting || this.dead) return;
    if (this.draining) {
      this.destroy();
    } else if (this.peerEnded && !this.decoder.atFrameBoundary) {
      this.fail('truncated', new FrameStreamError('truncated', 'connection ended inside a frame'));
    }
    // A peer that ends at a frame boundary without STOP (e.g. a killed writer) is not an error;
    // net.Socket closes our side by itself because allowHalfOpen is off.
  }

  private wait(pending: Promise<void>): void {
    this.waiting = true;
    this.socket.pause();
    const resume = (): void => {
      this.waiting = false;
      if (!this.draining && !this.dead) this.socket.resume();
      this.pump();
    };
    pending.then(resume, (error: unknown) => {
      this.report('consumer-error', error);
      resume();
    });
  }

  private handle(frame: Frame): Promise<void> | undefined {
    const { stats, options, contentType } = this.context;
    if (frame.kind === 'data') {
      if (this.phase !== 'started') {
        this.fail('unexpected-data');
        return undefined;
      }
      stats.dataFrames++;
      try {
        const result = options.onData(frame.payload, this.id);
        return result instanceof Promise ? result : undefined;
      } catch (error) {
        // One frame the consumer chokes on must not cost the writer its connection.
        this.report('consumer-error', error);
        return undefined;
      }
    }
    stats.controlFrames++;
    if (frame.type === ControlType.READY && this.phase === 'handshake' && !this.bidirectional) {
      if (!frame.contentTypes.includes(contentType)) {
        this.fail('content-type-mismatch', frame.contentTypes);
        return undefined;
      }
      this.bidirectional = true;
      this.socket.write(encodeControlFrame(ControlType.ACCEPT, [contentType]));
    } else if (frame.type === ControlType.START && this.phase === 'handshake') {
      // START may omit the content type; if present it must be ours.
      const offered = frame.contentTypes[0];
      if (offered !== undefined && offered !== contentType) {
        this.fail('content-type-mismatch', frame.contentTypes);
        return undefined;
      }
      this.phase = 'started';
      clearTimeout(this.handshakeTimer);
    } else if (frame.type === ControlType.STOP && this.phase === 'started') {
      this.phase = 'stopped';
      // The writer closes once it has FINISH; a unidirectional writer expects nothing back.
      if (this.bidirectional) this.socket.end(encodeControlFrame(ControlType.FINISH));
      else this.socket.end();
    } else {
      this.fail('unexpected-control', { type: frame.type, phase: this.phase });
    }
    return undefined;
  }

  private report(reason: FrameStreamServerErrorReason, detail?: unknown): void {
    this.context.stats.errors++;
    this.context.options.onError?.(reason, this.id, detail);
  }

  /** Rejects this connection only; the server and other writers carry on. */
  private fail(reason: FrameStreamServerErrorReason, detail?: unknown): void {
    if (this.dead) return;
    this.report(reason, detail);
    this.destroy();
  }
}

/** Replaces a socket file left by a crashed run, but never a live socket or a non-socket file. */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  if (!isSocket) throw new Error(`refusing to replace ${path}: it exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`refusing to replace ${path}: another process is listening on it`);
  await unlink(path).catch((error: unknown) => {
    if (!isErrno(error, 'ENOENT')) throw error;
  });
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
