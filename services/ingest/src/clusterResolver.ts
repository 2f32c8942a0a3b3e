import type { PdmeConfig } from '@pdme/common/config';
import { PrefixMap } from '@pdme/common/net';

/**
 * Which cluster a query belongs to: the EDNS client subnet when the resolver sent one (it is closer
 * to the real client), else the source address; unmatched clients go to the default cluster.
 */
export class ClusterResolver {
  private readonly map: PrefixMap<string>;

  constructor(
    config: Pick<PdmeConfig, 'clusters'>,
    private readonly defaultCluster: string,
  ) {
    this.map = new PrefixMap(
      config.clusters.flatMap((c) => c.subnets.map((subnet) => [subnet, c.id] as const)),
    );
  }

  resolve(sourceAddress: string | undefined, ecsAddress?: string): string {
    return (
      (ecsAddress === undefined ? undefined : this.map.lookup(ecsAddress)) ??
      (sourceAddress === undefined ? undefined : this.map.lookup(sourceAddress)) ??
      this.defaultCluster
    );
  }
}
