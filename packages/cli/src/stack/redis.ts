import { createConnection } from 'node:net';
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
