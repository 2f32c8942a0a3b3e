import { execFileSync, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { StackPaths } from './paths.js';
import { isAlive, runningPid, sleep, startDetached, stopDetached } from './processes.js';
import { renderDeployTemplate } from './template.js';

// ---------------------------------------------------------------------------------------------
// Topology
// ---------------------------------------------------------------------------------------------

export const ZONE = 'cdn.pdme.test';
export const ORIGIN = { address: '127.0.0.50', port: 18080 } as const;
export const BIND_ADDRESS = '127.0.0.1';
export const BIND_PORT = 15353;
export const BIND_STATS_PORT = 18053;
export const CACHE_PORT = 18080;
/** TTL of the zone's fixed records; the origin wildcard uses the same. */
export const ZONE_TTL = 60;

export interface CacheServerTopology {
  /** Unique across the whole topology, e.g. `cache-c1-a`; names the nginx instance and its files. */
  id: string;
  /** FQDN inside ZONE, e.g. `cache-c1-a.cdn.pdme.test`. */
  host: string;
  address: string;
  port: number;
  region: string;
}

export interface ClusterTopology {
  id: string;
  /** Clients from this subnet get the cluster's DNS view, e.g. `127.0.1.0/24`. */
  subnet: string;
  servers: CacheServerTopology[];
}

/**
 * A cluster on loopback: subnet 127.0.<n>.0/24, servers 127.0.<n>.101, .102, ... named
 * `cache-<id>-<letter>`. Use it to add clusters beyond the default two.
 */
export function loopbackCluster(
  id: string,
  n: number,
  region: string,
  letters: readonly string[] = ['a', 'b'],
): ClusterTopology {
  if (!Number.isInteger(n) || n < 1 || n > 254)
    throw new Error(`topology: cluster number ${n} must be 1..254`);
  return {
    id,
    subnet: `127.0.${n}.0/24`,
    servers: letters.map((letter, i) => ({
      id: `cache-${id}-${letter}`,
      host: `cache-${id}-${letter}.${ZONE}`,
      address: `127.0.${n}.${101 + i}`,
      port: CACHE_PORT,
      region,
    })),
  };
}

/** c1 (eu-west, the default view) and c2 (us-east), two cache servers each. */
export function defaultTopology(): ClusterTopology[] {
  return [loopbackCluster('c1', 1, 'eu-west'), loopbackCluster('c2', 2, 'us-east')];
}

/** TSIG key name of a cluster's view. */
export function clusterKeyName(clusterId: string): string {
  return `pdme-${clusterId}`;
}

export function validateTopology(topology: readonly ClusterTopology[]): void {
  if (topology.length === 0) throw new Error('topology: at least one cluster is needed');
  const ids = new Set<string>();
  const servers = new Set<string>();
  const addresses = new Set<string>();
  for (const cluster of topology) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(cluster.id)) throw new Error(`topology: bad cluster id "${cluster.id}"`);
    if (ids.has(cluster.id)) throw new Error(`topology: duplicate cluster id "${cluster.id}"`);
    ids.add(cluster.id);
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cluster.subnet))
      throw new Error(`topology: bad subnet "${cluster.subnet}" for ${cluster.id}`);
    for (const server of cluster.servers) {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(server.id)) throw new Error(`topology: bad server id "${server.id}"`);
      if (servers.has(server.id)) throw new Error(`topology: duplicate server id "${server.id}"`);
      servers.add(server.id);
      if (!server.host.endsWith(`.${ZONE}`))
        throw new Error(`topology: server host ${server.host} is not inside ${ZONE}`);
      const endpoint = `${server.address}:${server.port}`;
      if (addresses.has(endpoint)) throw new Error(`topology: ${endpoint} is used twice`);
      addresses.add(endpoint);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Executables
// ---------------------------------------------------------------------------------------------

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

function requireExecutable(name: string, aptPackages: string): string {
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

// ---------------------------------------------------------------------------------------------
// TSIG keys
// ---------------------------------------------------------------------------------------------

export interface TsigSecret {
  name: string;
  algorithm: string;
  /** Base64, as in the key file. */
  secret: string;
}

/** Parses a `tsig-keygen` file: `key "name" { algorithm hmac-sha256; secret "base64"; };`. */
export function readTsigSecret(file: string): TsigSecret {
  const text = readFileSync(file, 'utf8');
  const name = /\bkey\s+"?([^"\s{]+)"?\s*\{/.exec(text)?.[1];
  const algorithm = /\balgorithm\s+"?([A-Za-z0-9-]+)"?\s*;/.exec(text)?.[1];
  const secret = /\bsecret\s+"([A-Za-z0-9+/=]+)"\s*;/.exec(text)?.[1];
  if (name === undefined || algorithm === undefined || secret === undefined) {
    throw new Error(
      `stack: ${file} is not a TSIG key file (expected key "name" { algorithm ...; secret "..."; };)`,
    );
  }
  return { name, algorithm: algorithm.toLowerCase(), secret };
}

function ensureTsigKey(keysDir: string, keyName: string): string {
  const file = join(keysDir, `${keyName}.key`);
  if (existsSync(file)) {
    const parsed = readTsigSecret(file);
    if (parsed.name !== keyName)
      throw new Error(`stack: ${file} holds key "${parsed.name}", expected "${keyName}"`);
    chmodSync(file, 0o600);
    return file;
  }
  const keygen = requireExecutable('tsig-keygen', 'bind9 bind9-dnsutils');
  const text = execFileSync(keygen, ['-a', 'hmac-sha256', keyName], { encoding: 'utf8' });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // the mode option is masked by umask and ignored for an existing file
  readTsigSecret(file);
  return file;
}

// ---------------------------------------------------------------------------------------------
// BIND
// ---------------------------------------------------------------------------------------------

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

export function bindInfo(paths: StackPaths, topology: readonly ClusterTopology[]): BindInfo {
  const dir = bindDir(paths);
  return {
    server: BIND_ADDRESS,
    port: BIND_PORT,
    zone: ZONE,
    dnstapSocket: dnstapSocketPath(paths),
    statsUrl: `http://${BIND_ADDRESS}:${BIND_STATS_PORT}/`,
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

function renderNamedConf(paths: StackPaths, topology: readonly ClusterTopology[], info: BindInfo): string {
  const keyNames = topology.map((c) => clusterKeyName(c.id));
  const viewBlock = (cluster: ClusterTopology, isDefault: boolean): string => {
    const own = clusterKeyName(cluster.id);
    // A key-signed message must land in its key's view whatever its source address, so every
    // other cluster's key is excluded before the subnet match.
    const match = [
      `key "${own}";`,
      ...keyNames.filter((k) => k !== own).map((k) => `!key "${k}";`),
      `${cluster.subnet};`,
      ...(isDefault ? ['any;'] : []),
    ].join(' ');
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
    port: BIND_PORT,
    listen_address: BIND_ADDRESS,
    dnstap_socket: info.dnstapSocket,
    dnstap_reopen_seconds: 1,
    stats_address: BIND_ADDRESS,
    stats_port: BIND_STATS_PORT,
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
): Promise<BindInfo> {
  validateTopology(topology);
  const info = bindInfo(paths, topology);
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
    { kind: 'udp', address: BIND_ADDRESS, port: BIND_PORT },
    { kind: 'tcp', address: BIND_ADDRESS, port: BIND_PORT },
    { kind: 'tcp', address: BIND_ADDRESS, port: BIND_STATS_PORT },
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
  writeFileSync(info.configFile, renderNamedConf(paths, topology, info));

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

// ---------------------------------------------------------------------------------------------
// A minimal DNS client over UDP (readiness probes and tests; no dig needed)
// ---------------------------------------------------------------------------------------------

const RR_TYPES = { A: 1, NS: 2, CNAME: 5, SOA: 6, TXT: 16, AAAA: 28 } as const;
export type DnsType = keyof typeof RR_TYPES;

export interface DnsAnswer {
  name: string;
  type: string;
  ttl: number;
  /** A: the address; CNAME/NS: the target; TXT: the strings joined; others: hex. */
  data: string;
}

export interface DnsResponse {
  /** 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ... */
  rcode: number;
  authoritative: boolean;
  answers: DnsAnswer[];
}

export interface DnsQuery {
  server: string;
  port: number;
  name: string;
  type: DnsType;
  /** Local address to send from (selects the BIND view by subnet). */
  source?: string;
  timeoutMs?: number;
}

function encodeName(name: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '');
  const parts = labels.map((label) => {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new Error(`dns: label too long in ${name}`);
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function decodeName(msg: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let next = -1;
  let pos = offset;
  for (let hops = 0; hops < 64; hops++) {
    const len = msg.readUInt8(pos);
    if (len === 0) {
      if (next < 0) next = pos + 1;
      return { name: labels.join('.'), next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (next < 0) next = pos + 2;
      pos = msg.readUInt16BE(pos) & 0x3fff;
      continue;
    }
    labels.push(msg.toString('ascii', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  throw new Error('dns: compression loop');
}

function parseResponse(msg: Buffer, id: number): DnsResponse {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id) throw new Error('dns: unexpected response');
  const flags = msg.readUInt16BE(2);
  const qdcount = msg.readUInt16BE(4);
  const ancount = msg.readUInt16BE(6);
  let pos = 12;
  for (let i = 0; i < qdcount; i++) pos = decodeName(msg, pos).next + 4;
  const answers: DnsAnswer[] = [];
  const typeNames = new Map<number, string>(Object.entries(RR_TYPES).map(([k, v]) => [v, k]));
  for (let i = 0; i < ancount; i++) {
    const owner = decodeName(msg, pos);
    pos = owner.next;
    const type = msg.readUInt16BE(pos);
    const ttl = msg.readUInt32BE(pos + 4);
    const rdlength = msg.readUInt16BE(pos + 8);
    const rdata = pos + 10;
    let data: string;
    if (type === RR_TYPES.A && rdlength === 4) data = [...msg.subarray(rdata, rdata + 4)].join('.');
    else if (type === RR_TYPES.CNAME || type === RR_TYPES.NS) data = decodeName(msg, rdata).name;
    else if (type === RR_TYPES.TXT) {
      const strings: string[] = [];
      for (let p = rdata; p < rdata + rdlength;) {
        const len = msg.readUInt8(p);
        strings.push(msg.toString('utf8', p + 1, p + 1 + len));
        p += 1 + len;
      }
      data = strings.join('');
    } else data = msg.toString('hex', rdata, rdata + rdlength);
    answers.push({ name: owner.name, type: typeNames.get(type) ?? `TYPE${type}`, ttl, data });
    pos = rdata + rdlength;
  }
  return { rcode: flags & 0x0f, authoritative: (flags & 0x0400) !== 0, answers };
}

/** Sends one non-recursive query over UDP and parses the answer section. */
export function dnsQuery(query: DnsQuery): Promise<DnsResponse> {
  const id = Math.floor(Math.random() * 0x10000);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0, 2); // standard query, RD=0
  header.writeUInt16BE(1, 4);
  const question = Buffer.concat([encodeName(query.name), Buffer.from([0, RR_TYPES[query.type], 0, 1])]);
  const packet = Buffer.concat([header, question]);
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(
      () => finish(new Error(`dns: no answer from ${query.server}:${query.port} for ${query.name}`)),
      query.timeoutMs ?? 2_000,
    );
    let done = false;
    function finish(error: Error | undefined, response?: DnsResponse): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (error !== undefined) reject(error);
      else if (response !== undefined) resolve(response);
    }
    socket.on('error', (error) => finish(error));
    socket.on('message', (msg) => {
      try {
        finish(undefined, parseResponse(msg, id));
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });
    const send = (): void =>
      socket.send(packet, query.port, query.server, (error) => (error ? finish(error) : undefined));
    if (query.source !== undefined) socket.bind({ address: query.source, port: 0 }, send);
    else send();
  });
}
