// The stack's authoritative BIND 9: one view per cluster, dynamic updates by TSIG key, dnstap to ingest.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackPaths } from './paths.js';
import { isAlive, runningPid, sleep, startDetached, stopDetached } from './processes.js';
import { renderDeployTemplate } from './template.js';
import { assertPortsFree, findExecutable, logSize, logTail, requireExecutable } from './host.js';
import { ensureTsigKey } from './tsigKeyFile.js';
import { dnsQuery } from './dnsQuery.js';
import {
  BIND_ADDRESS,
  BIND_PORT,
  BIND_STATS_PORT,
  ORIGIN,
  ZONE,
  ZONE_TTL,
  clusterKeyName,
  validateTopology,
  type ClusterTopology,
} from './topology.js';

export interface BindKeyInfo {
  cluster: string;
  name: string;
  algorithm: 'hmac-sha256';
  file: string;
}

export interface BindViewInfo {
  cluster: string;
  /** A loopback source address whose queries land in this view (no TSIG needed). */
  probeSource: string;
  zoneFile: string;
  journal: string;
}

export interface BindInfo {
  server: string;
  port: number;
  zone: string;
  dnstapSocket: string;
  statsUrl: string;
  keys: BindKeyInfo[];
  /** The cluster whose view answers clients outside every cluster subnet (the first one). */
  defaultCluster: string;
  views: BindViewInfo[];
  configFile: string;
  log: string;
}

const BIND_NAME = 'bind';

/** BIND's DNS and statistics ports: the plain stack's by default; the secure profile passes its own. */
export interface BindPorts {
  readonly dns: number;
  readonly stats: number;
}
const DEFAULT_BIND_PORTS: BindPorts = { dns: BIND_PORT, stats: BIND_STATS_PORT };
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_UNIX_SOCKET_PATH = 107;

function bindDir(paths: StackPaths): string {
  return join(paths.root, 'bind');
}

export function dnstapSocketPath(paths: StackPaths): string {
  return join(paths.root, 'ingest-dnstap.sock');
}

/** First host address of an IPv4 subnet (`127.0.2.0/24` → `127.0.2.1`); queries from it hit that subnet's view. */
function probeSourceFor(cluster: ClusterTopology, isDefault: boolean): string {
  if (isDefault) return BIND_ADDRESS;
  const [base] = cluster.subnet.split('/');
  const octets = (base ?? '').split('.').map(Number);
  if (octets.length !== 4 || octets[0] !== 127) {
    throw new Error(`stack: cluster ${cluster.id} subnet ${cluster.subnet} is not on loopback (127.0.0.0/8)`);
  }
  octets[3] = (octets[3] ?? 0) + 1;
  return octets.join('.');
}

export function bindInfo(
  paths: StackPaths,
  topology: readonly ClusterTopology[],
  ports: BindPorts = DEFAULT_BIND_PORTS,
): BindInfo {
  const dir = bindDir(paths);
  return {
    server: BIND_ADDRESS,
    port: ports.dns,
    zone: ZONE,
    dnstapSocket: dnstapSocketPath(paths),
    statsUrl: `http://${BIND_ADDRESS}:${ports.stats}/`,
    keys: topology.map((c) => ({
      cluster: c.id,
      name: clusterKeyName(c.id),
      algorithm: 'hmac-sha256' as const,
      file: join(dir, 'keys', `${clusterKeyName(c.id)}.key`),
    })),
    defaultCluster: topology[0]?.id ?? '',
    views: topology.map((c, i) => {
      const zoneFile = join(dir, 'zones', c.id, `${ZONE}.db`);
      return { cluster: c.id, probeSource: probeSourceFor(c, i === 0), zoneFile, journal: `${zoneFile}.jnl` };
    }),
    configFile: join(dir, 'named.conf'),
    log: join(paths.logs, `${BIND_NAME}.log`),
  };
}

function zoneSerial(existingZoneFile: string): number {
  let serial = Math.floor(Date.now() / 1000);
  if (existsSync(existingZoneFile)) {
    const match = /SOA\s+\S+\s+\S+\s+\(\s*(\d+)/.exec(readFileSync(existingZoneFile, 'utf8'));
    const previous = match?.[1] === undefined ? 0 : Number(match[1]);
    if (previous >= serial) serial = previous + 1;
  }
  return serial >>> 0;
}

/**
 * Writes one view's zone file unless the rendered content is unchanged since the last start, in
 * which case the live file and its journal (holding PDME's dynamic updates) are kept.
 */
function writeViewZone(
  topology: readonly ClusterTopology[],
  cluster: ClusterTopology,
  view: BindViewInfo,
): boolean {
  const records = topology
    .flatMap((c) => c.servers)
    .map((s) => `${s.host.slice(0, -(ZONE.length + 1)).padEnd(8)} ${ZONE_TTL} IN A   ${s.address}`)
    .join('\n');
  const vars = {
    zone: ZONE,
    view: cluster.id,
    key_name: clusterKeyName(cluster.id),
    ttl: ZONE_TTL,
    wildcard_ttl: ZONE_TTL,
    ns_address: BIND_ADDRESS,
    origin_address: ORIGIN.address,
    cache_records: records,
  };
  const base = renderDeployTemplate('local/bind/zone.db', { ...vars, serial: 0 });
  const baseFile = `${view.zoneFile}.base`;
  if (existsSync(view.zoneFile) && existsSync(baseFile) && readFileSync(baseFile, 'utf8') === base)
    return false;
  const zone = renderDeployTemplate('local/bind/zone.db', { ...vars, serial: zoneSerial(view.zoneFile) });
  rmSync(view.journal, { force: true });
  writeFileSync(view.zoneFile, zone);
  writeFileSync(baseFile, base);
  return true;
}

/**
 * A view's match-clients list. A key-signed message must land in its key's view whatever its source
 * address, so every other cluster's key is excluded before the subnet match; the default view (the
 * first cluster) also takes everyone else.
 */
export function viewMatchClients(
  topology: readonly ClusterTopology[],
  cluster: ClusterTopology,
  isDefault: boolean,
): string {
  const own = clusterKeyName(cluster.id);
  return [
    `key "${own}";`,
    ...topology
      .map((c) => clusterKeyName(c.id))
      .filter((k) => k !== own)
      .map((k) => `!key "${k}";`),
    ...cluster.clientSubnets.map((subnet) => `${subnet};`),
    ...(isDefault ? ['any;'] : []),
  ].join(' ');
}

function renderNamedConf(
  paths: StackPaths,
  topology: readonly ClusterTopology[],
  info: BindInfo,
  ports: BindPorts,
): string {
  const viewBlock = (cluster: ClusterTopology, isDefault: boolean): string => {
    const own = clusterKeyName(cluster.id);
    const match = viewMatchClients(topology, cluster, isDefault);
    const view = info.views.find((v) => v.cluster === cluster.id);
    if (view === undefined) throw new Error(`stack: no view for ${cluster.id}`);
    return renderDeployTemplate('local/bind/view.conf', {
      view: cluster.id,
      match_clients: match,
      zone: ZONE,
      zone_file: view.zoneFile,
      journal_file: view.journal,
      key_name: own,
    });
  };
  const [defaultCluster, ...others] = topology;
  if (defaultCluster === undefined) throw new Error('topology: at least one cluster is needed');
  return renderDeployTemplate('local/bind/named.conf', {
    zone: ZONE,
    bind_dir: bindDir(paths),
    port: ports.dns,
    listen_address: BIND_ADDRESS,
    dnstap_socket: info.dnstapSocket,
    dnstap_reopen_seconds: 1,
    stats_address: BIND_ADDRESS,
    stats_port: ports.stats,
    key_includes: info.keys.map((k) => `include "${k.file}";`).join('\n'),
    views: [...others.map((c) => viewBlock(c, false)), viewBlock(defaultCluster, true)].join('\n'),
  });
}

/**
 * Starts the stack's authoritative BIND (one view per cluster, dnstap to the ingest socket) unless
 * it already runs, and waits until every view answers.
 */
export async function startBind(
  paths: StackPaths,
  topology: readonly ClusterTopology[],
  log: (message: string) => void,
  ports: BindPorts = DEFAULT_BIND_PORTS,
): Promise<BindInfo> {
  validateTopology(topology);
  const info = bindInfo(paths, topology, ports);
  const pid = runningPid(paths, BIND_NAME);
  if (pid !== undefined) {
    log(`bind: already running (pid ${pid}) on ${info.server}:${info.port}`);
    return info;
  }
  const named = requireExecutable('named', 'bind9 bind9-dnsutils');
  if (Buffer.byteLength(info.dnstapSocket) > MAX_UNIX_SOCKET_PATH) {
    throw new Error(
      `stack: dnstap socket path is too long for a unix socket (${info.dnstapSocket}); use a shorter PDME_STACK_DIR`,
    );
  }

  await assertPortsFree('named', [
    { kind: 'udp', address: BIND_ADDRESS, port: ports.dns },
    { kind: 'tcp', address: BIND_ADDRESS, port: ports.dns },
    { kind: 'tcp', address: BIND_ADDRESS, port: ports.stats },
  ]);

  const dir = bindDir(paths);
  mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
  chmodSync(join(dir, 'keys'), 0o700);
  for (const key of info.keys) ensureTsigKey(join(dir, 'keys'), key.name);
  topology.forEach((cluster, i) => {
    const view = info.views[i];
    if (view === undefined) throw new Error(`stack: no view for ${cluster.id}`);
    mkdirSync(join(dir, 'zones', cluster.id), { recursive: true });
    if (writeViewZone(topology, cluster, view)) log(`bind: wrote zone ${ZONE} for view ${cluster.id}`);
  });
  writeFileSync(info.configFile, renderNamedConf(paths, topology, info, ports));

  const checkconf = findExecutable('named-checkconf');
  if (checkconf !== undefined) {
    const check = spawnSync(checkconf, [info.configFile], { encoding: 'utf8' });
    if (check.status !== 0)
      throw new Error(`stack: named-checkconf rejected ${info.configFile}:\n${check.stdout}${check.stderr}`);
  }

  const offset = logSize(paths, BIND_NAME);
  // -g: foreground, all logging to stderr (logs/bind.log). No -u: named keeps the caller's user,
  // which owns every file under <root>/bind.
  const started = startDetached(paths, {
    name: BIND_NAME,
    command: named,
    args: ['-g', '-c', info.configFile],
    cwd: dir,
  });
  log(
    `bind: started named (pid ${started}) on ${info.server}:${info.port}, views ${topology.map((c) => c.id).join(', ')}`,
  );

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (!isAlive(started)) {
      await stopDetached(paths, BIND_NAME, 0);
      throw new Error(
        `stack: named exited during startup; last log lines (${info.log}):\n${logTail(paths, BIND_NAME, offset)}`,
      );
    }
    const ready = await Promise.all(
      info.views.map((v) =>
        dnsQuery({
          server: info.server,
          port: info.port,
          name: `ns.${ZONE}`,
          type: 'A',
          source: v.probeSource,
          timeoutMs: 500,
        })
          .then((r) => r.rcode === 0 && r.answers.some((a) => a.type === 'A'))
          .catch(() => false),
      ),
    );
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline) {
      await stopDetached(paths, BIND_NAME, 2_000);
      throw new Error(
        `stack: named did not answer for ${ZONE} within 20 s; last log lines:\n${logTail(paths, BIND_NAME, offset)}`,
      );
    }
    await sleep(200);
  }
  log(`bind: answering for ${ZONE} (stats ${info.statsUrl}, dnstap → ${info.dnstapSocket})`);
  return info;
}

export async function stopBind(paths: StackPaths): Promise<boolean> {
  return stopDetached(paths, BIND_NAME, 10_000);
}
