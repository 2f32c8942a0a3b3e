/**
 * Test helper: a throw-away BIND 9 primary on 127.0.0.1:<free port> with one dynamic zone that accepts
 * updates signed with a freshly generated hmac-sha256 key. Loopback only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { queryRecords } from '../src/rfc2136/resolve.js';
import { parseTsigKeyFile, type TsigKey } from '../src/rfc2136/tsig.js';

const SBIN_CANDIDATES = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** Absolute path of a BIND tool, looking in PATH and the usual sbin dirs (not always in PATH). */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(':').filter((d) => d !== ''), ...SBIN_CANDIDATES];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function bindToolsMissing(): string[] {
  return ['named', 'tsig-keygen', 'dig'].filter((tool) => findTool(tool) === undefined);
}

/** A port currently free on 127.0.0.1 for both TCP and UDP (BIND listens on both). */
export async function findFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const address = srv.address();
        const p = typeof address === 'object' && address !== null ? address.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port < 1024) continue;
    const udpFree = await new Promise<boolean>((resolve) => {
      const sock = createSocket('udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('could not find a free TCP+UDP port on 127.0.0.1');
}

export interface BindServer {
  port: number;
  dir: string;
  zone: string;
  key: TsigKey;
  /** Text produced by tsig-keygen. */
  keyText: string;
  /** Everything named wrote to stdout/stderr (it runs with -g). */
  log(): string;
  /** Stops named and removes its directory. */
  stop(): Promise<void>;
  /** Stops named but keeps its files (zone, journal), so `resume()` brings the same data back. */
  halt(): Promise<void>;
  /** Starts named again on the same port after `halt()`, and waits until it answers. */
  resume(): Promise<void>;
}

export interface StartBindOptions {
  zone?: string;
  keyName?: string;
  /** How long to wait for named to answer, ms. */
  startTimeoutMs?: number;
  /** Where the server's directory is created (default: the OS temp dir). The journal's fsyncs go there. */
  parentDir?: string;
}

export async function startBind(options: StartBindOptions = {}): Promise<BindServer> {
  const zone = options.zone ?? 'test.pdme';
  const keyName = options.keyName ?? 'pdme-update';
  const named = findTool('named');
  const keygen = findTool('tsig-keygen');
  if (named === undefined || keygen === undefined)
    throw new Error('BIND (named, tsig-keygen) is not installed');

  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'pdme-bind-'));
  const generated = spawnSync(keygen, ['-a', 'hmac-sha256', keyName], { encoding: 'utf8' });
  if (generated.status !== 0) throw new Error(`tsig-keygen failed: ${generated.stderr}`);
  const keyText = generated.stdout;
  const key = parseTsigKeyFile(keyText);
  const port = await findFreePort();

  await writeFile(join(dir, 'update.key'), keyText);
  await writeFile(
    join(dir, `${zone}.zone`),
    [
      '$TTL 300',
      `@ IN SOA ns.${zone}. hostmaster.${zone}. 1 3600 600 86400 60`,
      `@ IN NS ns.${zone}.`,
      'ns IN A 127.0.0.1',
      'existing IN A 192.0.2.1',
      '',
    ].join('\n'),
  );
  const conf = join(dir, 'named.conf');
  await writeFile(
    conf,
    `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  allow-transfer { none; };
};
controls { };
include "${dir}/update.key";
zone "${zone}" {
  type master;
  file "${dir}/${zone}.zone";
  allow-update { key "${keyName}"; };
};
`,
  );

  let output = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let hasExited = true;

  const spawnNamed = (): void => {
    const proc = spawn(named, ['-g', '-4', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    hasExited = false;
    proc.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    exited = new Promise<void>((resolve) =>
      proc.once('exit', () => {
        hasExited = true;
        resolve();
      }),
    );
  };

  const halt = async (): Promise<void> => {
    if (!hasExited && child !== undefined) {
      const proc = child;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };

  const stop = async (): Promise<void> => {
    await halt();
    await rm(dir, { recursive: true, force: true });
  };

  const waitUntilAnswering = async (): Promise<void> => {
    const deadline = Date.now() + (options.startTimeoutMs ?? 20000);
    for (;;) {
      if (hasExited) {
        await stop();
        throw new Error(`named exited during startup:\n${output}`);
      }
      try {
        const soa = await queryRecords({ server: '127.0.0.1', port, timeoutMs: 300 }, zone, 'SOA');
        if (soa.length > 0) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`named did not answer on 127.0.0.1:${port} in time:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const resume = async (): Promise<void> => {
    if (!hasExited) return;
    spawnNamed();
    await waitUntilAnswering();
  };

  spawnNamed();
  await waitUntilAnswering();

  return { port, dir, zone, key, keyText, log: () => output, stop, halt, resume };
}
