import { createHash } from 'node:crypto';
import type { QueryEvent, Source } from '@pdme/common/proto';
import type { Anonymizer } from './anonymizer.js';
import type { ClusterResolver } from './clusterResolver.js';

/** A DNS query as any source reads it, before anonymization. Lives only inside ingest. */
export interface QueryObservation {
  readonly tsMs: number;
  readonly qname: string;
  readonly qtype: string;
  readonly clientAddress: string | undefined;
  readonly ecsAddress?: string | undefined;
  readonly source: Source;
  /** Identifies the observation in its source (payload digest, file and line), for replay dedup. */
  readonly sourceId: string;
}

/** Lower case, no trailing dot: one spelling per name so counts do not split. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export function eventIdOf(sourceId: string): string {
  return createHash('sha256').update(sourceId).digest('hex').slice(0, 32);
}

/** Builds the published event: anonymized client, resolved cluster, and no raw address anywhere. */
export function toQueryEvent(
  observation: QueryObservation,
  anonymizer: Anonymizer,
  clusters: ClusterResolver,
): QueryEvent {
  const client =
    observation.clientAddress === undefined
      ? undefined
      : anonymizer.anonymize(observation.ecsAddress ?? observation.clientAddress, observation.tsMs);
  // A literal of every field rather than fromPartial: this runs once per event at line rate.
  return {
    eventId: eventIdOf(observation.sourceId),
    tsMs: observation.tsMs,
    resource: normalizeName(observation.qname),
    cluster: clusters.resolve(observation.clientAddress, observation.ecsAddress),
    qtype: observation.qtype,
    source: observation.source,
    client: client && {
      clientHash: client.clientHash,
      keyEpoch: client.keyEpoch,
      region: '',
      osFamily: '',
      browserFamily: '',
    },
  };
}
