import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseConfig } from '@pdme/common/config';
import {
  clusterKeyName,
  viewMatchClients,
  validateTopology,
  ZONE,
  ZONE_TTL,
  type BindInfo,
  type ClusterTopology,
} from '../stack/dns.js';
import { repoRoot } from '@pdme/common/repo-root';
import { localStackConfig } from '../stack/stackConfig.js';
import { CACHE_MAX_SIZE } from '../stack/caches.js';
import { blobClassPattern } from '../stack/originBlobs.js';
import { renderDeployTemplate } from '../stack/template.js';
import {
  COMPOSE_BIND_ADDRESS,
  COMPOSE_DNS_PORT,
  COMPOSE_ORIGIN_ADDRESS,
  COMPOSE_PATHS,
  composeTopology,
} from './composeTopology.js';

/** Where the rendered files live, relative to the repository root (docker-compose.yml mounts them). */
export const COMPOSE_DIR = 'deploy/compose';

/**
 * Every config file docker-compose.yml mounts, rendered from the same templates (deploy/local/**)
 * and the same PDME config builder (localStackConfig) as the local stack, with the Compose
 * network's addresses. Keys are paths relative to the repository root.
 */
export function renderComposeFiles(
  topology: readonly ClusterTopology[] = composeTopology(),
): Map<string, string> {
  validateTopology(topology);
  const files = new Map<string, string>();
  const put = (path: string, text: string) => files.set(`${COMPOSE_DIR}/${path}`, text);
  const bind = composeBindInfo(topology);

  put('bind/named.conf', renderNamedConf(topology));
  for (const cluster of topology) put(`bind/zones/${cluster.id}.db`, renderZone(topology, cluster));

  put(
    'nginx/origin.conf',
    renderDeployTemplate('local/nginx/origin.conf', {
      ...nginxVars('origin', COMPOSE_ORIGIN_ADDRESS),
      // No class files in the container: sized names fall back to the tiny body (try_files).
      blob_dir: '/var/cache/nginx/pdme/blobs',
      blob_classes: blobClassPattern(),
    }),
  );
  for (const cluster of topology) {
    for (const server of cluster.servers) {
      put(
        `nginx/${server.id}.conf`,
        renderDeployTemplate('local/nginx/cache.conf', {
          ...nginxVars(server.id, '0.0.0.0'),
          cluster: cluster.id,
          region: server.region,
          listen_port: server.port,
          origin_address: COMPOSE_ORIGIN_ADDRESS,
          origin_port: server.port,
          cache_max_size: CACHE_MAX_SIZE,
        }),
      );
    }
  }

  const config = localStackConfig(topology, bind);
  parseConfig(config, 'compose config'); // never hand the containers a config that does not validate
  put('pdme.config.json', `${JSON.stringify(config, null, 2)}\n`);
  return files;
}

function nginxVars(name: string, listenAddress: string) {
  // Everything nginx writes sits under /var/cache/nginx/pdme (a named volume per instance).
  return {
    name,
    prefix: '/var/cache/nginx/pdme',
    listen_address: listenAddress,
    listen_port: 18080,
    access_log: '/var/cache/nginx/pdme/access.log',
  };
}

function composeBindInfo(topology: readonly ClusterTopology[]): BindInfo {
  const dir = COMPOSE_PATHS.bindDir;
  return {
    server: COMPOSE_BIND_ADDRESS,
    port: COMPOSE_DNS_PORT,
    zone: ZONE,
    dnstapSocket: COMPOSE_PATHS.dnstapSocket,
    statsUrl: `http://127.0.0.1:18053/`,
    keys: topology.map((c) => ({
      cluster: c.id,
      name: clusterKeyName(c.id),
      algorithm: 'hmac-sha256' as const,
      file: `${COMPOSE_PATHS.tsigDir}/${clusterKeyName(c.id)}.key`,
    })),
    defaultCluster: topology[0]?.id ?? '',
    views: topology.map((c) => {
      const zoneFile = `${dir}/zones/${c.id}/${ZONE}.db`;
      return { cluster: c.id, probeSource: '', zoneFile, journal: `${zoneFile}.jnl` };
    }),
    configFile: '/etc/bind/named.conf',
    log: 'stderr',
  };
}

/** Zone of one view, serial 1: the container copies it into its volume only when none is there yet. */
function renderZone(topology: readonly ClusterTopology[], cluster: ClusterTopology): string {
  const records = topology
    .flatMap((c) => c.servers)
    .map((s) => `${s.host.slice(0, -(ZONE.length + 1)).padEnd(8)} ${ZONE_TTL} IN A   ${s.address}`)
    .join('\n');
  return renderDeployTemplate('local/bind/zone.db', {
    zone: ZONE,
    view: cluster.id,
    key_name: clusterKeyName(cluster.id),
    ttl: ZONE_TTL,
    wildcard_ttl: ZONE_TTL,
    ns_address: COMPOSE_BIND_ADDRESS,
    origin_address: COMPOSE_ORIGIN_ADDRESS,
    cache_records: records,
    serial: 1,
  });
}

/** Same view rules as the local stack: a key-signed message lands in its key's view. */
function renderNamedConf(topology: readonly ClusterTopology[]): string {
  const viewBlock = (cluster: ClusterTopology, isDefault: boolean): string => {
    const own = clusterKeyName(cluster.id);
    const match = viewMatchClients(topology, cluster, isDefault);
    const zoneFile = `${COMPOSE_PATHS.bindDir}/zones/${cluster.id}/${ZONE}.db`;
    return renderDeployTemplate('local/bind/view.conf', {
      view: cluster.id,
      match_clients: match,
      zone: ZONE,
      zone_file: zoneFile,
      journal_file: `${zoneFile}.jnl`,
      key_name: own,
    });
  };
  const [defaultCluster, ...others] = topology;
  if (defaultCluster === undefined) throw new Error('topology: at least one cluster is needed');
  return renderDeployTemplate('local/bind/named.conf', {
    zone: ZONE,
    bind_dir: COMPOSE_PATHS.bindDir,
    port: COMPOSE_DNS_PORT,
    listen_address: 'any',
    dnstap_socket: COMPOSE_PATHS.dnstapSocket,
    dnstap_reopen_seconds: 1,
    stats_address: '127.0.0.1',
    stats_port: 18053,
    key_includes: topology
      .map((c) => clusterKeyName(c.id))
      .map((k) => `include "${COMPOSE_PATHS.tsigDir}/${k}.key";`)
      .join('\n'),
    views: [...others.map((c) => viewBlock(c, false)), viewBlock(defaultCluster, true)].join('\n'),
  });
}

/**
 * The rendered files as the repository holds them: those Prettier has a parser for (the JSON
 * config) formatted with the repository's Prettier settings, so `prettier --check .` stays clean.
 */
export async function formattedComposeFiles(root = repoRoot()): Promise<Map<string, string>> {
  const prettier = await import('prettier');
  const out = new Map<string, string>();
  for (const [path, text] of renderComposeFiles()) {
    const filepath = join(root, path);
    const info = await prettier.getFileInfo(filepath);
    if (info.inferredParser === null) {
      out.set(path, text);
      continue;
    }
    const options = (await prettier.resolveConfig(filepath)) ?? {};
    out.set(path, await prettier.format(text, { ...options, filepath }));
  }
  return out;
}

/** Paths whose file is missing or differs from what the generator renders now. */
export function composeDrift(root: string, rendered: ReadonlyMap<string, string>): string[] {
  return [...rendered]
    .filter(([path, text]) => {
      const file = join(root, path);
      return !existsSync(file) || readFileSync(file, 'utf8') !== text;
    })
    .map(([path]) => path);
}

/** Writes the rendered files under the repository; returns the paths it changed. */
export async function writeComposeFiles(root = repoRoot()): Promise<string[]> {
  const rendered = await formattedComposeFiles(root);
  const changed = composeDrift(root, rendered);
  for (const path of changed) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, rendered.get(path) ?? '');
  }
  return changed;
}
