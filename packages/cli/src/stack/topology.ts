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
