import { readFileSync } from 'node:fs';
import type { PdmeConfig } from '@pdme/common/config';
import { PdmeError } from '@pdme/common/errors';
import { Reader, type CityResponse } from 'mmdb-lib';

/**
 * Where a client is: the region of its cluster from the PDME config, or, when a MaxMind database
 * (GeoLite2/GeoIP2 Country or City, .mmdb) is configured, its country ISO code. Unknown is ''.
 */
export class RegionResolver {
  private readonly clusterRegions: Map<string, string>;

  constructor(
    config: Pick<PdmeConfig, 'clusters'>,
    private readonly mmdb: Reader<CityResponse> | undefined = undefined,
  ) {
    this.clusterRegions = new Map(config.clusters.map((c) => [c.id, c.region]));
  }

  static withMmdbFile(config: Pick<PdmeConfig, 'clusters'>, path: string | undefined): RegionResolver {
    if (path === undefined) return new RegionResolver(config);
    let db: Buffer;
    try {
      db = readFileSync(path);
    } catch (error) {
      throw new PdmeError('CONFIG_INVALID', `ingest: cannot read the MaxMind database ${path}`, {
        cause: error,
      });
    }
    try {
      return new RegionResolver(config, new Reader<CityResponse>(db));
    } catch (error) {
      throw new PdmeError('CONFIG_INVALID', `ingest: ${path} is not a MaxMind database`, { cause: error });
    }
  }

  region(clientAddress: string | undefined, cluster: string): string {
    if (this.mmdb !== undefined && clientAddress !== undefined) {
      try {
        const found = this.mmdb.get(clientAddress);
        const code = found?.country?.iso_code ?? found?.registered_country?.iso_code;
        if (code !== undefined) return code;
      } catch {
        // mmdb-lib throws on addresses it cannot parse; the cluster's region is still right.
      }
    }
    return this.clusterRegions.get(cluster) ?? '';
  }
}
