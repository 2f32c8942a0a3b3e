import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ORIGIN,
  assertPortsFree,
  findExecutable,
  logSize,
  logTail,
  validateTopology,
  type ClusterTopology,
} from './dns.js';
import type { StackPaths } from './paths.js';
import { isAlive, runningPid, sleep, startDetached, stopDetached } from './processes.js';
import { renderDeployTemplate } from './template.js';

export const ORIGIN_NAME = 'origin';

export interface NginxInstanceInfo {
  /** Instance name: `origin` or the cache server id (`cache-c1-a`); also the pid/log name. */
  name: string;
  address: string;
  port: number;
  /** `http://address:port` */
  url: string;
  healthUrl: string;
  /** JSON lines (log_format escape=json), one per request; ingest tails it. */
  accessLog: string;
  /** nginx's own stderr (startup errors). */
  errorLog: string;
  prefix: string;
  configFile: string;
}

export interface CacheServerInfo extends NginxInstanceInfo {
  cluster: string;
  /** FQDN of the server's A record in the zone. */
  host: string;
  region: string;
}

export interface CacheInfo {
  origin: NginxInstanceInfo;
  servers: CacheServerInfo[];
}

function instance(paths: StackPaths, name: string, address: string, port: number): NginxInstanceInfo {
  const prefix = join(paths.root, 'nginx', name);
  const url = `http://${address}:${port}`;
  return {
    name,
    address,
    port,
    url,
    healthUrl: `${url}/pdme-health`,
    accessLog: join(prefix, 'access.log'),
    errorLog: join(paths.logs, `${name}.log`),
    prefix,
    configFile: join(prefix, 'nginx.conf'),
  };
}

export function cacheInfo(paths: StackPaths, topology: readonly ClusterTopology[]): CacheInfo {
  return {
    origin: instance(paths, ORIGIN_NAME, ORIGIN.address, ORIGIN.port),
    servers: topology.flatMap((cluster) =>
      cluster.servers.map((s) => ({
        ...instance(paths, s.id, s.address, s.port),
        cluster: cluster.id,
        host: s.host,
        region: s.region,
      })),
    ),
  };
}

async function healthy(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await response.arrayBuffer();
  return response.status === 200;
}

async function startNginx(
  paths: StackPaths,
  nginx: string,
  info: NginxInstanceInfo,
  config: string,
  log: (message: string) => void,
): Promise<void> {
  const pid = runningPid(paths, info.name);
  if (pid !== undefined) {
    log(`${info.name}: already running (pid ${pid}) on ${info.url}`);
    return;
  }
  await assertPortsFree(`nginx ${info.name}`, [{ kind: 'tcp', address: info.address, port: info.port }]);
  for (const dir of ['cache', 'tmp/client_body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) {
    mkdirSync(join(info.prefix, dir), { recursive: true });
  }
  writeFileSync(info.configFile, config);
  const offset = logSize(paths, info.name);
  // -e: the error log nginx uses before it has read the config (the Debian build already says stderr).
  const started = startDetached(paths, {
    name: info.name,
    command: nginx,
    args: ['-p', `${info.prefix}/`, '-c', info.configFile, '-e', 'stderr'],
    cwd: info.prefix,
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!isAlive(started)) {
      await stopDetached(paths, info.name, 0);
      throw new Error(
        `stack: nginx ${info.name} exited during startup; last log lines (${info.errorLog}):\n${logTail(paths, info.name, offset)}`,
      );
    }
    if (await healthy(info.healthUrl).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stopDetached(paths, info.name, 2_000);
      throw new Error(
        `stack: nginx ${info.name} did not answer ${info.healthUrl} within 15 s; last log lines:\n${logTail(paths, info.name, offset)}`,
      );
    }
    await sleep(100);
  }
  log(`${info.name}: started nginx (pid ${started}) on ${info.url}, access log ${info.accessLog}`);
}

/**
 * Starts the origin and one nginx cache per server in the topology (each its own master, so one
 * can be killed alone), skipping those already running, and waits for /pdme-health on each.
 */
export async function startCaches(
  paths: StackPaths,
  topology: readonly ClusterTopology[],
  log: (message: string) => void,
): Promise<CacheInfo> {
  validateTopology(topology);
  const nginx = findExecutable('nginx');
  if (nginx === undefined)
    throw new Error(
      'stack: `nginx` not found on PATH or in /usr/sbin; install it with `apt-get install nginx-light`',
    );
  const info = cacheInfo(paths, topology);

  const origin = renderDeployTemplate('local/nginx/origin.conf', {
    name: info.origin.name,
    prefix: info.origin.prefix,
    listen_address: info.origin.address,
    listen_port: info.origin.port,
    access_log: info.origin.accessLog,
  });
  // The caches need the origin; start it first.
  await startNginx(paths, nginx, info.origin, origin, log);

  await Promise.all(
    info.servers.map((server) =>
      startNginx(
        paths,
        nginx,
        server,
        renderDeployTemplate('local/nginx/cache.conf', {
          name: server.name,
          cluster: server.cluster,
          region: server.region,
          prefix: server.prefix,
          listen_address: server.address,
          listen_port: server.port,
          access_log: server.accessLog,
          origin_address: ORIGIN.address,
          origin_port: ORIGIN.port,
          cache_max_size: '1g',
        }),
        log,
      ),
    ),
  );
  return info;
}

/** Stops every cache server of the topology and the origin; returns the names that were running. */
export async function stopCaches(paths: StackPaths, topology: readonly ClusterTopology[]): Promise<string[]> {
  const names = [...topology.flatMap((c) => c.servers.map((s) => s.id)), ORIGIN_NAME];
  const stopped = await Promise.all(
    names.map(async (name) => ((await stopDetached(paths, name, 10_000)) ? name : undefined)),
  );
  return stopped.filter((n): n is string => n !== undefined);
}

/** Stops one cache server alone (failure drills). */
export async function stopCacheServer(paths: StackPaths, serverId: string): Promise<boolean> {
  return stopDetached(paths, serverId, 10_000);
}
