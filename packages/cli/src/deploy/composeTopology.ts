import { ZONE, type ClusterTopology } from '../stack/dns.js';

/**
 * The local stack's topology moved onto the Compose network: 127.0.<n>.x on loopback becomes
 * 172.28.<n>.x, so cluster subnets, cache addresses and BIND's views keep their shape. Containers
 * without a fixed address get one from COMPOSE_DYNAMIC_RANGE, outside every cluster subnet and the fixed
 * 172.28.0.x addresses.
 */
export const COMPOSE_SUBNET = '172.28.0.0/16';
export const COMPOSE_DYNAMIC_RANGE = '172.28.3.0/24';
export const COMPOSE_BIND_ADDRESS = '172.28.0.53';
export const COMPOSE_ORIGIN_ADDRESS = '172.28.0.50';
export const COMPOSE_DNS_PORT = 53;
export const COMPOSE_CACHE_PORT = 18080;
/** Paths inside the containers, shared by docker-compose.yml and the rendered configs. */
export const COMPOSE_PATHS = {
  pdmeConfig: '/etc/pdme/pdme.config.json',
  tsigDir: '/run/pdme/tsig',
  anonSecret: '/run/pdme/secrets/anonymization.key',
  dnstapSocket: '/run/pdme/dnstap/dnstap.sock',
  bindDir: '/var/cache/bind',
} as const;

function composeCluster(id: string, n: number, region: string): ClusterTopology {
  return {
    id,
    subnet: `172.28.${n}.0/24`,
    // 172.28.<16n>.0/20: more client /24s per cluster, clear of the dynamic range and 172.28.0.x.
    clientSubnets: [`172.28.${n}.0/24`, `172.28.${16 * n}.0/20`],
    servers: ['a', 'b'].map((letter, i) => ({
      id: `cache-${id}-${letter}`,
      host: `cache-${id}-${letter}.${ZONE}`,
      address: `172.28.${n}.${101 + i}`,
      port: COMPOSE_CACHE_PORT,
      region,
    })),
  };
}

/** c1 (eu-west, BIND's default view) and c2 (us-east), two caches each: the local stack's defaults. */
export function composeTopology(): ClusterTopology[] {
  return [composeCluster('c1', 1, 'eu-west'), composeCluster('c2', 2, 'us-east')];
}
