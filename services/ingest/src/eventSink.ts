import type { DeadLetterInput, Publisher } from '@pdme/common/kafka';
import type { AccessEvent, QueryEvent } from '@pdme/common/proto';
import { TOPICS, type TopicName } from '@pdme/common/topics';
import { Batcher } from './batcher.js';
import { encodeQueryEvents } from './queryEventEncoder.js';

/** The Publisher calls ingest needs, so tests and benches can count without a broker. */
export type EventPublisher = Pick<Publisher, 'publish' | 'publishEncoded' | 'deadLetter'>;

export interface IngestCounts {
  read: number;
  /** Acknowledged by Kafka (events and dead letters are counted apart). */
  published: number;
  deadLettered: number;
  /** Header and comment lines (Zeek): neither data nor errors. */
  skipped: number;
  /** Rejected inputs by reason, such as `bind bad-time`; they sum to what went to the DLQ. */
  rejected: Record<string, number>;
}

export interface EventSinkOptions {
  readonly publisher: EventPublisher;
  readonly service: string;
  readonly maxBatch?: number;
  readonly lingerMs?: number;
  /** Batches that may be on the wire while the next one fills; parsing and sending overlap. */
  readonly maxPendingBatches?: number;
  readonly onSendError: (error: unknown, attempt: number) => void;
  readonly onPublished?: (topic: string, count: number) => void;
}

export interface Rejection {
  readonly sourceTopic: TopicName;
  /** Where the input was: `file:line`, `file@offset`, `dnstap:connection-3#frame-9`. */
  readonly origin: string;
  /** Short and countable, such as `bind bad-time`. */
  readonly reason: string;
  /** Appended to the reason in the dead letter, not counted apart. */
  readonly detail?: string | undefined;
  /** Already redacted (see deadLetterPayload.ts). */
  readonly payload: Uint8Array;
}

/**
 * Everything ingest sends to Kafka goes through here: events to their topic and rejects to the
 * topic's DLQ, batched, with back-pressure (the `add`/`reject` promises resolve only when there is
 * room), and counted so read = published + dead-lettered + skipped once drained.
 */
export class EventSink {
  readonly counts: IngestCounts = { read: 0, published: 0, deadLettered: 0, skipped: 0, rejected: {} };
  private readonly queries: Batcher<QueryEvent>;
  private readonly accesses: Batcher<AccessEvent>;
  private readonly letters: Batcher<DeadLetterInput>;

  constructor(private readonly options: EventSinkOptions) {
    const common = {
      maxBatch: options.maxBatch ?? 1000,
      lingerMs: options.lingerMs ?? 20,
      maxPendingBatches: options.maxPendingBatches ?? 2,
      onSendError: options.onSendError,
    };
    this.queries = new Batcher<QueryEvent>({
      ...common,
      send: async (batch) => {
        // The busiest path: encoded here straight to protobuf bytes (see queryEventEncoder.ts).
        await options.publisher.publishEncoded(TOPICS.dnsQueries, encodeQueryEvents(batch));
        this.published(TOPICS.dnsQueries, batch.length);
      },
    });
    this.accesses = new Batcher<AccessEvent>({
      ...common,
      send: async (batch) => {
        await options.publisher.publish(
          TOPICS.accessLogs,
          batch.map((event) => ({ key: event.resource, value: event })),
        );
        this.published(TOPICS.accessLogs, batch.length);
      },
    });
    this.letters = new Batcher<DeadLetterInput>({
      ...common,
      send: async (batch) => {
        await options.publisher.deadLetter(batch);
        this.counts.deadLettered += batch.length;
        options.onPublished?.('dlq', batch.length);
      },
    });
  }

  query(event: QueryEvent): Promise<void> {
    return this.queries.add(event);
  }

  access(event: AccessEvent): Promise<void> {
    return this.accesses.add(event);
  }

  reject(rejection: Rejection): Promise<void> {
    this.counts.rejected[rejection.reason] = (this.counts.rejected[rejection.reason] ?? 0) + 1;
    const { detail, ...letter } = rejection;
    return this.letters.add({
      ...letter,
      reason: detail === undefined ? letter.reason : `${letter.reason}: ${detail}`,
      service: this.options.service,
    });
  }

  /** Sends everything buffered and waits for Kafka's acknowledgements. */
  async flush(): Promise<void> {
    await Promise.all([this.queries.flush(), this.accesses.flush(), this.letters.flush()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.queries.close(), this.accesses.close(), this.letters.close()]);
  }

  /** Buffered and not yet acknowledged: what `lagging` means for a source. */
  get buffered(): number {
    return this.queries.buffered + this.accesses.buffered + this.letters.buffered;
  }

  private published(topic: string, count: number): void {
    this.counts.published += count;
    this.options.onPublished?.(topic, count);
  }
}
