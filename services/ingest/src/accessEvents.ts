import type { PdmeConfig } from '@pdme/common/config';
import { AccessEvent } from '@pdme/common/proto';
import type { Anonymizer } from './anonymizer.js';
import type { ClusterResolver } from './clusterResolver.js';
import type { ParsedAccess } from './parsers/parseOutcome.js';
import { eventIdOf, normalizeName } from './queryEvents.js';
import type { ClientTraitsPolicy } from './traits/clientTraits.js';

/** A cache access as any access-log source reads it, before anonymization. Lives only inside ingest. */
export interface AccessObservation extends ParsedAccess {
  /** Identifies the line in its source (file and offset or line), for replay dedup. */
  readonly sourceId: string;
}

export interface AccessEventContext {
  readonly anonymizer: Anonymizer;
  readonly clusters: ClusterResolver;
  readonly traits: ClientTraitsPolicy;
  /** Cache server id to its cluster, from the PDME config. */
  readonly serverClusters: ReadonlyMap<string, string>;
}

export function serverClustersOf(config: Pick<PdmeConfig, 'clusters'>): Map<string, string> {
  return new Map(config.clusters.flatMap((c) => c.servers.map((s) => [s.id, c.id] as const)));
}

/**
 * The access-log twin of `toQueryEvent`: the cluster is the cache server's (it is where the bytes
 * were served), else the client's; the client is a keyed hash, and its traits pass the k gate.
 */
export function toAccessEvent(observation: AccessObservation, context: AccessEventContext): AccessEvent {
  const cluster =
    (observation.server === undefined ? undefined : context.serverClusters.get(observation.server)) ??
    context.clusters.resolve(observation.clientAddress);
  const address = observation.clientAddress;
  let client: AccessEvent['client'];
  if (address !== undefined) {
    const anonymized = context.anonymizer.anonymize(address, observation.tsMs);
    const traits = context.traits.traits({
      client: anonymized,
      clientAddress: address,
      // Where the client is, not where it was served from.
      cluster: context.clusters.resolve(address),
      userAgent: observation.userAgent,
    });
    client = { clientHash: anonymized.clientHash, keyEpoch: anonymized.keyEpoch, ...traits };
  }
  return AccessEvent.fromPartial({
    eventId: eventIdOf(observation.sourceId),
    tsMs: observation.tsMs,
    resource: normalizeName(observation.host),
    path: observation.path,
    cluster,
    server: observation.server ?? '',
    cacheStatus: observation.cacheStatus,
    bytes: observation.bytes,
    status: observation.status,
    client,
  });
}
