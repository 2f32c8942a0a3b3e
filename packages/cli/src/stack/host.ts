// What the stack needs from the machine: executables, free ports, and its processes' log files.
import { createSocket } from 'node:dgram';
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { StackPaths } from './paths.js';

/** Finds an executable on PATH or in the sbin folders (often missing from a non-root PATH). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function requireExecutable(name: string, aptPackages: string): string {
  const found = findExecutable(name);
  if (found === undefined) {
    throw new Error(
      `stack: \`${name}\` not found on PATH or in /usr/sbin; install it with \`apt-get install ${aptPackages}\``,
    );
  }
  return found;
}

/** The log output a detached process wrote after `offset` (its log is appended to across runs). */
export function logTail(paths: StackPaths, name: string, offset: number, maxLines = 25): string {
  const file = join(paths.logs, `${name}.log`);
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const start = Math.max(offset, size - 64 * 1024);
  if (size <= start) return '';
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-maxLines).join('\n');
  } finally {
    closeSync(fd);
  }
}

export function logSize(paths: StackPaths, name: string): number {
  const file = join(paths.logs, `${name}.log`);
  return existsSync(file) ? statSync(file).size : 0;
}

function canBind(kind: 'tcp' | 'udp', address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (kind === 'tcp') {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(true)));
    } else {
      const socket = createSocket({ type: 'udp4', reuseAddr: false });
      socket.once('error', () => {
        socket.close();
        resolve(false);
      });
      socket.bind({ address, port, exclusive: true }, () => socket.close(() => resolve(true)));
    }
  });
}

/**
 * Fails when something already listens on one of the ports. named sets SO_REUSEPORT, so without
 * this check a second named (another stack directory) would silently share the port with the first.
 */
export async function assertPortsFree(
  what: string,
  checks: readonly { kind: 'tcp' | 'udp'; address: string; port: number }[],
): Promise<void> {
  const busy: string[] = [];
  for (const check of checks) {
    if (!(await canBind(check.kind, check.address, check.port)))
      busy.push(`${check.kind} ${check.address}:${check.port}`);
  }
  if (busy.length > 0) {
    throw new Error(
      `stack: cannot start ${what}: already in use: ${busy.join(', ')} (another stack, or a leftover process?)`,
    );
  }
}
