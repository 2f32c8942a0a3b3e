import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { StackPaths } from './paths.js';
import { runningPid, startDetached, stopDetached, waitFor } from './processes.js';
import { findExecutable } from './dns.js';

const SHARED = { host: '127.0.0.1', port: 6379 };
const OWN_PORT = 16379;

/** True when a Redis server answers PING on host:port. */
export function redisAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * Uses the Redis already answering on 127.0.0.1:6379 (our machines run one), else starts a
 * redis-server of our own on 16379 that keeps nothing on disk.
 */
export async function ensureRedis(paths: StackPaths, log: (message: string) => void): Promise<string> {
  if (runningPid(paths, 'redis') !== undefined) return `redis://127.0.0.1:${OWN_PORT}`;
  if (await redisAnswers(SHARED.host, SHARED.port)) {
    log(`redis: using the server on ${SHARED.host}:${SHARED.port}`);
    return `redis://${SHARED.host}:${SHARED.port}`;
  }
  const server = findExecutable('redis-server');
  if (server === undefined)
    throw new Error('stack: no Redis answers and `redis-server` is missing: apt-get install redis-server');
  startDetached(paths, {
    name: 'redis',
    command: server,
    args: [
      '--bind',
      '127.0.0.1',
      '--port',
      String(OWN_PORT),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      paths.root,
    ],
  });
  await waitFor(`redis-server on ${OWN_PORT}`, () => redisAnswers('127.0.0.1', OWN_PORT), 20_000);
  log(`redis: started redis-server on 127.0.0.1:${OWN_PORT}`);
  return `redis://127.0.0.1:${OWN_PORT}`;
}

export async function stopOwnRedis(paths: StackPaths): Promise<boolean> {
  return stopDetached(paths, 'redis', 5_000);
}

/** The secure profile's Redis: TLS only (`port 0`), no default user, one ACL user per service. */
export interface SecureRedisSpec {
  readonly port: number;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** `user ...` lines of redis.conf (password digests only). */
  readonly aclLines: readonly string[];
  /** The user `stack up` itself connects as. */
  readonly admin: { readonly name: string; readonly password: string };
}

/** ioredis options for the secure Redis as `user` (TLS checked against the stack's CA). */
export function secureRedisOptions(
  spec: Pick<SecureRedisSpec, 'caFile'>,
  user: { readonly name: string; readonly password: string },
): { tls: { ca: Buffer }; username: string; password: string } {
  return { tls: { ca: readFileSync(spec.caFile) }, username: user.name, password: user.password };
}

async function secureRedisAnswers(url: string, spec: SecureRedisSpec): Promise<boolean> {
  const redis = new Redis(url, {
    ...secureRedisOptions(spec, spec.admin),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Starts (unless running) the secure profile's own redis-server; returns its rediss:// URL. */
export async function ensureSecureRedis(
  paths: StackPaths,
  spec: SecureRedisSpec,
  log: (message: string) => void,
): Promise<string> {
  const url = `rediss://127.0.0.1:${spec.port}`;
  if (runningPid(paths, 'redis') !== undefined) return url;
  const server = findExecutable('redis-server');
  if (server === undefined) throw new Error('stack: `redis-server` is missing: apt-get install redis-server');
  const conf = join(paths.root, 'redis.conf');
  writeFileSync(
    conf,
    [
      '# Written by pdme stack up --secure (packages/cli/src/stack/redis.ts); edits are lost.',
      'bind 127.0.0.1',
      'port 0',
      `tls-port ${spec.port}`,
      `tls-cert-file ${spec.certFile}`,
      `tls-key-file ${spec.keyFile}`,
      `tls-ca-cert-file ${spec.caFile}`,
      // Clients authenticate as ACL users; client certificates are not required.
      'tls-auth-clients no',
      'save ""',
      'appendonly no',
      `dir ${paths.root}`,
      ...spec.aclLines,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  startDetached(paths, { name: 'redis', command: server, args: [conf] });
  await waitFor(`redis-server (TLS) on ${spec.port}`, () => secureRedisAnswers(url, spec), 20_000);
  log(`redis: started redis-server with TLS on 127.0.0.1:${spec.port} (ACL users per service)`);
  return url;
}
