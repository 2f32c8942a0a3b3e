import type { PdmeConfig } from '@pdme/common/config';
import { serverClustersOf, type AccessEventContext } from './accessEvents.js';
import { Anonymizer } from './anonymizer.js';
import { ClusterResolver } from './clusterResolver.js';
import { ClientTraitsPolicy } from './traits/clientTraits.js';
import { RegionResolver } from './traits/regionResolver.js';

/** The anonymizer, cluster map and trait policy every source shares, built from the config. */
export function createIngestContext(input: {
  readonly config: PdmeConfig;
  readonly secret: Buffer;
  readonly maxmindDbFile?: string | undefined;
}): AccessEventContext {
  const { config } = input;
  return {
    anonymizer: new Anonymizer({ ...config.anonymization, secret: input.secret }),
    clusters: new ClusterResolver(config, config.clusters[0]?.id ?? 'default'),
    traits: new ClientTraitsPolicy(
      RegionResolver.withMmdbFile(config, input.maxmindDbFile),
      config.anonymization.k,
    ),
    serverClusters: serverClustersOf(config),
  };
}
