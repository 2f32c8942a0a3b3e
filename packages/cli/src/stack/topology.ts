// The local stack's clusters, DNS zone and cache servers on loopback.

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
  /** The cluster's own /24 (its cache servers and view probe address live here), e.g. `127.0.1.0/24`. */
  subnet: string;
  /**
   * Every client subnet of the cluster, `subnet` first: clients from any of them get the cluster's DNS
   * view and ingest maps them to the cluster. Wider than one /24 so that test crowds come from many
   * anonymized client groups (/24s), as real populations do.
   */
  clientSubnets: string[];
  servers: CacheServerTopology[];
}

/**
 * A cluster on loopback: subnet 127.0.<n>.0/24, servers 127.0.<n>.101, .102, ... named
 * `cache-<id>-<letter>`, clients from 127.0.<n>.0/24 and 127.<n>.0.0/16 (Linux loopback accepts any
 * 127/8 source). Use it to add clusters beyond the default two.
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
    clientSubnets: [`127.0.${n}.0/24`, `127.${n}.0.0/16`],
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

/** The /24s a cluster's crowds are spread over; `clientSubnets` is absent in stack states written before it. */
function clientNetworks(cluster: { subnet: string; clientSubnets?: readonly string[] }): string[] {
  const subnets = cluster.clientSubnets ?? [cluster.subnet];
  return subnets.flatMap((cidr) => {
    const [base, bits] = cidr.split('/');
    const octets = (base ?? '').split('.').map(Number);
    if (octets.length !== 4 || Number(bits) > 24)
      throw new Error(`topology: client subnet ${cidr} is not /24 or wider`);
    // A few /24s of each subnet are enough to make a crowd look like many client groups.
    const count = Math.min(2 ** (24 - Number(bits)), 8);
    return Array.from({ length: count }, (_, i) => {
      const n = ((octets[1] ?? 0) << 8) + (octets[2] ?? 0) + i;
      return `${octets[0]}.${n >> 8}.${n & 255}`;
    });
  });
}

/**
 * The i-th client address of a crowd from a cluster, cycling over several /24s of its client subnets
 * (each /24 is one anonymized client group) and over host numbers 10..249 inside each.
 */
export function clusterClient(
  cluster: { subnet: string; clientSubnets?: readonly string[] },
  i: number,
): string {
  const networks = clientNetworks(cluster);
  const network = networks[i % networks.length] ?? '127.0.0';
  return `${network}.${10 + (Math.floor(i / networks.length) % 240)}`;
}

/** The /24 prefix (`a.b.c`) of an IPv4 address: the client group anonymization keeps. */
export function clientGroupPrefix(address: string): string {
  return address.split('.').slice(0, 3).join('.');
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
  const clientSubnets = new Map<string, string>();
  for (const cluster of topology) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(cluster.id)) throw new Error(`topology: bad cluster id "${cluster.id}"`);
    if (ids.has(cluster.id)) throw new Error(`topology: duplicate cluster id "${cluster.id}"`);
    ids.add(cluster.id);
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cluster.subnet))
      throw new Error(`topology: bad subnet "${cluster.subnet}" for ${cluster.id}`);
    if (cluster.clientSubnets[0] !== cluster.subnet)
      throw new Error(`topology: ${cluster.id}'s clientSubnets must start with its subnet ${cluster.subnet}`);
    for (const subnet of cluster.clientSubnets) {
      if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(subnet))
        throw new Error(`topology: bad client subnet "${subnet}" for ${cluster.id}`);
      const owner = clientSubnets.get(subnet);
      if (owner !== undefined)
        throw new Error(`topology: client subnet ${subnet} is in ${owner} and ${cluster.id}`);
      clientSubnets.set(subnet, cluster.id);
    }
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
