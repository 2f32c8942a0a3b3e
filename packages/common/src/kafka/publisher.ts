import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { DeadLetter } from '../proto/index.js';
import { encodeMessage, encodeDeadLetter, type MessageOf } from '../messages.js';
import { dlqTopic, type TopicName } from '../topics.js';

export interface Keyed<T> {
  readonly key: string;
  readonly value: T;
  readonly headers?: Record<string, string>;
}

export interface DeadLetterInput {
  readonly sourceTopic: TopicName;
  readonly origin: string;
  readonly reason: string;
  readonly payload: Uint8Array;
  readonly service: string;
}

/**
 * Typed, acknowledged publishing: every send waits for all in-sync replicas (acks -1), payloads are
 * protobuf from the topic's codec, and a failed send throws instead of being swallowed.
 */
export class Publisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    // Idempotent, one request in flight: retries cannot duplicate or reorder a partition's messages.
    // kafkajs wants unbounded retries for that guarantee; callers see a slow send, never a lost one.
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      // Murmur2 on the key, as the Java client: a resource maps to the same partition from any producer.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 10_000 },
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async publish<T extends TopicName>(topic: T, messages: readonly Keyed<MessageOf<T>>[]): Promise<void> {
    if (messages.length === 0) return;
    const encoded: Message[] = messages.map((m) => ({
      key: m.key,
      value: encodeMessage(topic, m.value),
      headers: m.headers,
    }));
    await this.producer.send({ topic, messages: encoded, acks: -1, compression: CompressionTypes.GZIP });
  }

  /** Poison input goes to `<topic>.dlq` with the reason in the body and a header, never dropped. */
  async deadLetter(letters: readonly DeadLetterInput[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const letter of letters) {
      const topic = dlqTopic(letter.sourceTopic);
      const message: Message = {
        key: letter.origin,
        value: encodeDeadLetter(
          DeadLetter.fromPartial({
            sourceTopic: letter.sourceTopic,
            origin: letter.origin,
            reason: letter.reason,
            payload: Buffer.from(letter.payload),
            tsMs: Date.now(),
            service: letter.service,
          }),
        ),
        headers: { 'pdme-reason': letter.reason.slice(0, 200), 'pdme-service': letter.service },
      };
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
    });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
