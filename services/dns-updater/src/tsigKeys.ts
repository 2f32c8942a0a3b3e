import { readFileSync } from 'node:fs';
import type { ClusterConfig } from '@pdme/common/config';
import { PdmeError, errorMessage } from '@pdme/common/errors';
import { parseTsigKeyFile, type TsigKey } from './rfc2136/index.js';

/**
 * Loads each cluster's TSIG key from its file, or from PDME_TSIG_<CLUSTER> (the key file's text) in
 * the environment. The secret is never logged or returned anywhere.
 */
export function loadClusterKeys(
  clusters: readonly ClusterConfig[],
  env: NodeJS.ProcessEnv,
): Map<string, TsigKey> {
  const keys = new Map<string, TsigKey>();
  for (const cluster of clusters) {
    const variable = `PDME_TSIG_${cluster.id.toUpperCase().replace(/-/g, '_')}`;
    let text = env[variable];
    if (text === undefined && cluster.dns.keyFile !== undefined) {
      try {
        text = readFileSync(cluster.dns.keyFile, 'utf8');
      } catch (error) {
        throw new PdmeError(
          'CONFIG_INVALID',
          `cluster ${cluster.id}: cannot read TSIG key file: ${errorMessage(error)}`,
        );
      }
    }
    if (text === undefined) {
      throw new PdmeError(
        'CONFIG_INVALID',
        `cluster ${cluster.id}: no TSIG key (set dns.keyFile or ${variable})`,
      );
    }
    keys.set(cluster.id, parseTsigKeyFile(text, cluster.dns.keyName));
  }
  return keys;
}
