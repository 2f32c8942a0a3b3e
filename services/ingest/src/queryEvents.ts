import { hash } from 'node:crypto';
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

// One-shot `hash` rather than createHash: the same digest without a Hash object per event.
export function eventIdOf(sourceId: string): string {
  return hash('sha256', sourceId, 'hex').slice(0, 32);
}

/** A dnstap frame's id, the same live and from a file, so a replayed frame is the same event. */
export function dnstapSourceId(payload: Uint8Array): string {
  return `dnstap:${hash('sha256', payload, 'base64')}`;
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
