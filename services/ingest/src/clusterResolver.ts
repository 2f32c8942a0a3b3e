import type { PdmeConfig } from '@pdme/common/config';
import { PrefixMap } from '@pdme/common/net';

const MAX_CACHED = 65_536;
const DOTTED_QUAD = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/;

/**
 * Which cluster a query belongs to: the EDNS client subnet when the resolver sent one (it is closer
 * to the real client), else the source address; unmatched clients go to the default cluster.
 */
export class ClusterResolver {
  private readonly map: PrefixMap<string>;
  /** Lookup results by /24 (when no IPv4 subnet is longer) or by address: the prefix map is bigint work. */
  private readonly cache = new Map<string, string | undefined>();
  private readonly v4ByOctets: boolean;

  constructor(
    config: Pick<PdmeConfig, 'clusters'>,
    private readonly defaultCluster: string,
  ) {
    const subnets = config.clusters.flatMap((c) => c.subnets.map((subnet) => [subnet, c.id] as const));
    this.map = new PrefixMap(subnets);
    this.v4ByOctets = subnets.every(([subnet]) => subnet.includes(':') || Number(subnet.split('/')[1]) <= 24);
  }

  resolve(sourceAddress: string | undefined, ecsAddress?: string): string {
    return (
      (ecsAddress === undefined ? undefined : this.lookup(ecsAddress)) ??
      (sourceAddress === undefined ? undefined : this.lookup(sourceAddress)) ??
      this.defaultCluster
    );
  }

  private lookup(address: string): string | undefined {
    const octets = this.v4ByOctets ? DOTTED_QUAD.exec(address)?.[1] : undefined;
    const key = octets === undefined ? address : `${octets}.0`;
    if (this.cache.has(key)) return this.cache.get(key);
    const cluster = this.map.lookup(key);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, cluster);
    return cluster;
  }
}
