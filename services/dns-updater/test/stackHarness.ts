/**
 * What the dns-updater integration tests need from the running local stack: its config, keys, caches,
 * `dig` through a cluster's view and `nsupdate` with a cluster's key. Names are unique per run.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import {
  loadConfigFile,
  type CacheServerConfig,
  type ClusterConfig,
  type PdmeConfig,
} from '@pdme/common/config';
import { createLogger, type Logger } from '@pdme/common/logging';
import { MirrorAction, MirrorCommand } from '@pdme/common/proto';
import { requireStack } from '../../../test/support/localStack.js';
import { loadClusterKeys } from '../src/tsigKeys.js';
import type { TsigKey } from '../src/rfc2136/index.js';

export const stack = requireStack();
export const stackConfig: PdmeConfig = loadConfigFile(stack.configFile);

/** Source addresses whose queries BIND answers from each cluster's view. */
export const VIEW_SOURCE: Readonly<Record<string, string>> = { c1: '127.0.1.1', c2: '127.0.2.1' };

export function uniqueName(prefix = 'x'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}.${stack.bind.zone}`;
}

export function cluster(id: string): ClusterConfig {
  const found = stackConfig.clusters.find((c) => c.id === id);
  if (found === undefined) throw new Error(`the stack has no cluster ${id}`);
  return found;
}

export function server(clusterId: string, index = 0): CacheServerConfig {
  const found = cluster(clusterId).servers[index];
  if (found === undefined) throw new Error(`cluster ${clusterId} has no server ${index}`);
  return found;
}

export function stackKey(clusterId: string): TsigKey {
  const key = loadClusterKeys([cluster(clusterId)], {}).get(clusterId);
  if (key === undefined) throw new Error(`no key for ${clusterId}`);
  return key;
}

/** `dig +short` through the view the source address selects (no TSIG: what clients see). */
export function dig(clusterId: string, name: string, type = 'CNAME'): string[] {
  const source = VIEW_SOURCE[clusterId] ?? '127.0.0.1';
  const out = spawnSync(
    'dig',
    [
      `@${stack.bind.server}`,
      '-p',
      String(stack.bind.port),
      '-b',
      source,
      '+short',
      '+norec',
      '+time=2',
      '+tries=2',
      name,
      type,
    ],
    { encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`dig failed (${out.status}): ${out.stderr}`);
  return out.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/\.$/, ''));
}

/** nsupdate with the cluster's key file from stack.json: how an operator edits the zone by hand. */
export function nsupdate(clusterId: string, lines: readonly string[]): void {
  const keyFile = stack.bind.keys.find((k) => k.cluster === clusterId)?.file;
  if (keyFile === undefined) throw new Error(`stack.json has no key file for ${clusterId}`);
  const script = [
    `server ${stack.bind.server} ${stack.bind.port}`,
    `zone ${stack.bind.zone}`,
    ...lines,
    'send',
    '',
  ].join('\n');
  const out = spawnSync('nsupdate', ['-k', keyFile], { input: script, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`nsupdate failed (${out.status}): ${out.stderr}`);
}

/** X-Cache-Status of one fetch of the resource through the cache server. */
export function cacheStatus(cache: CacheServerConfig, resource: string, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: cache.address, port: cache.port, path, headers: { host: resource } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.headers['x-cache-status'] ?? 'absent')));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export function mirrorCommand(
  clusterId: string,
  cache: CacheServerConfig,
  resource: string,
  overrides: Partial<MirrorCommand> = {},
): MirrorCommand {
  return MirrorCommand.fromPartial({
    commandId: `it-${randomBytes(8).toString('hex')}`,
    action: MirrorAction.MIRROR_ACTION_MIRROR,
    resource,
    cluster: clusterId,
    serverId: cache.id,
    serverHost: cache.host,
    serverAddress: cache.address,
    serverPort: cache.port,
    warmPaths: ['/', '/manifest.m3u8'],
    ttlSeconds: 30,
    issuedMs: Date.now(),
    ...overrides,
  });
}

/** A logger that keeps its JSON lines, so tests can read what a dry run said it would do. */
export function capturingLogger(): { logger: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  return { logger: createLogger('dns-updater-test', { destination: sink }), lines: () => lines };
}

/** An applied-command ledger kept in memory, counting how often each id was recorded. */
export function memoryLedger() {
  const recorded = new Map<string, number>();
  return {
    recorded,
    has: (id: string) => Promise.resolve(recorded.has(id)),
    record: (id: string) => {
      recorded.set(id, (recorded.get(id) ?? 0) + 1);
      return Promise.resolve();
    },
  };
}
