import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
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
import { blobClassPattern, writeOriginBlobs } from './originBlobs.js';
import { renderDeployTemplate } from './template.js';

export const ORIGIN_NAME = 'origin';

/**
 * Each cache's proxy_cache max_size (nginx size syntax), small on purpose: the default demo's
 * working set is about 10-12 MiB per edge cache and run (log-normal sizes, stack/originBlobs.ts),
 * so the cache manager evicts (LRU) and capacity binds. PDME_CACHE_MAX_SIZE overrides it (e.g. 1g).
 * nginx's manager wakes at most 10 s apart, so a cache may run over by what it fetched meanwhile.
 */
export const CACHE_MAX_SIZE = '4m';

/** The caches' max_size: PDME_CACHE_MAX_SIZE when set (checked), else CACHE_MAX_SIZE. */
export function cacheMaxSize(env: NodeJS.ProcessEnv = process.env): string {
  const value = env['PDME_CACHE_MAX_SIZE']?.trim();
  if (value === undefined || value === '') return CACHE_MAX_SIZE;
  if (!/^[1-9][0-9]*[kmg]?$/i.test(value))
    throw new Error(`stack: PDME_CACHE_MAX_SIZE must be an nginx size such as 4m or 1g, got "${value}"`);
  return value;
}

/**
 * TLS for the secure profile: every nginx (origin and caches) listens with its own certificate, and
 * the caches fetch from the origin over HTTPS, checking its certificate against the stack's CA.
 */
export interface NginxTls {
  readonly caFile: string;
  /** Certificate and key of each instance, by instance name (`origin`, `cache-c1-a`). */
  readonly certs: ReadonlyMap<string, { readonly cert: string; readonly key: string }>;
  /** The name the origin's certificate is issued for (caches verify it). */
  readonly originName: string;
}

export interface CacheOptions {
  /** Default: the plain stack's origin (127.0.0.50:18080). */
  readonly origin?: { readonly address: string; readonly port: number };
  readonly tls?: NginxTls;
}

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

function instance(
  paths: StackPaths,
  name: string,
  address: string,
  port: number,
  scheme: 'http' | 'https' = 'http',
): NginxInstanceInfo {
  const prefix = join(paths.root, 'nginx', name);
  const url = `${scheme}://${address}:${port}`;
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

export function cacheInfo(
  paths: StackPaths,
  topology: readonly ClusterTopology[],
  options: CacheOptions = {},
): CacheInfo {
  const origin = options.origin ?? ORIGIN;
  const scheme = options.tls === undefined ? 'http' : 'https';
  return {
    origin: instance(paths, ORIGIN_NAME, origin.address, origin.port, scheme),
    servers: topology.flatMap((cluster) =>
      cluster.servers.map((s) => ({
        ...instance(paths, s.id, s.address, s.port, scheme),
        cluster: cluster.id,
        host: s.host,
        region: s.region,
      })),
    ),
  };
}

async function healthy(url: string, caFile?: string): Promise<boolean> {
  if (caFile !== undefined) return httpsHealthy(url, caFile);
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await response.arrayBuffer();
  return response.status === 200;
}

/** fetch() cannot take a CA: the secure profile's health probe goes through node:https. */
function httpsHealthy(url: string, caFile: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(url, { ca: readFileSync(caFile), timeout: 1_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * The secure profile's nginx config: the rendered plain one with `ssl` on its listener, its
 * certificate, and (caches) HTTPS towards the origin with the certificate checked. Rewriting the
 * rendered text keeps one template for both profiles (and for deploy/compose).
 */
function withTls(config: string, info: NginxInstanceInfo, tls: NginxTls): string {
  const certs = tls.certs.get(info.name);
  if (certs === undefined) throw new Error(`stack: no TLS certificate for nginx ${info.name}`);
  const listen = `listen ${info.address}:${info.port} default_server;`;
  if (!config.includes(listen))
    throw new Error(`stack: nginx ${info.name} config has no "${listen}" to secure`);
  let out = config.replace(
    listen,
    [
      `listen ${info.address}:${info.port} ssl default_server;`,
      `    ssl_certificate ${certs.cert};`,
      `    ssl_certificate_key ${certs.key};`,
      '    ssl_protocols TLSv1.2 TLSv1.3;',
    ].join('\n'),
  );
  if (out.includes('proxy_pass http://')) {
    out = out
      .replace('proxy_pass http://', 'proxy_pass https://')
      .replace(
        'proxy_http_version 1.1;',
        [
          'proxy_http_version 1.1;',
          `      proxy_ssl_trusted_certificate ${tls.caFile};`,
          '      proxy_ssl_verify on;',
          `      proxy_ssl_name ${tls.originName};`,
          '      proxy_ssl_session_reuse on;',
        ].join('\n'),
      );
  }
  return out;
}

async function startNginx(
  paths: StackPaths,
  nginx: string,
  info: NginxInstanceInfo,
  config: string,
  log: (message: string) => void,
  tls?: NginxTls,
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
  writeFileSync(info.configFile, tls === undefined ? config : withTls(config, info, tls));
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
    if (await healthy(info.healthUrl, tls?.caFile).catch(() => false)) break;
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
  options: CacheOptions = {},
): Promise<CacheInfo> {
  validateTopology(topology);
  const nginx = findExecutable('nginx');
  if (nginx === undefined)
    throw new Error(
      'stack: `nginx` not found on PATH or in /usr/sbin; install it with `apt-get install nginx-light`',
    );
  const info = cacheInfo(paths, topology, options);
  const maxSize = cacheMaxSize();

  // Sized bodies for names carrying a size class; written before nginx reads its config.
  const blobDir = join(info.origin.prefix, 'blobs');
  writeOriginBlobs(blobDir);
  const origin = renderDeployTemplate('local/nginx/origin.conf', {
    name: info.origin.name,
    prefix: info.origin.prefix,
    listen_address: info.origin.address,
    listen_port: info.origin.port,
    access_log: info.origin.accessLog,
    blob_dir: blobDir,
    blob_classes: blobClassPattern(),
  });
  // The caches need the origin; start it first.
  await startNginx(paths, nginx, info.origin, origin, log, options.tls);

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
          origin_address: info.origin.address,
          origin_port: info.origin.port,
          cache_max_size: maxSize,
        }),
        log,
        options.tls,
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
