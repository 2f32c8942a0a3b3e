import {
  CompressionTypes,
  Partitioners,
  type PartitionerArgs,
  type Kafka,
  type Message,
  type Producer,
} from 'kafkajs';
import { isSealedTopic } from '../crypto/atRest.js';
import type { EnvelopeCipher } from '../crypto/envelope.js';
import { sealMessage } from '../crypto/sealedValues.js';
import { DeadLetter } from '../proto/index.js';
import { encodeMessage, encodeDeadLetter, type MessageOf } from '../messages.js';
import { dlqTopic, type TopicName } from '../topics.js';

export interface Keyed<T> {
  readonly key: string;
  readonly value: T;
  readonly headers?: Record<string, string>;
}

/** A message whose value is already the topic's protobuf (see `publishEncoded`). */
export interface EncodedMessage {
  readonly key: string | Buffer;
  readonly value: Buffer;
}

export interface PublisherOptions {
  /**
   * Codec of event batches (default gzip). `none` trades broker disk and network for producer CPU:
   * gzip is most of the cost of a high-rate producer such as ingest.
   */
  readonly compression?: 'gzip' | 'none';
  /** Where a topic's messages (and its dead letters) really go; for benchmarks on a scratch topic. */
  readonly redirectTopic?: (topic: string) => string;
  /** Seals payloads of SEALED_TOPICS (and their dead letters) at rest; without it they go in the clear. */
  readonly cipher?: EnvelopeCipher;
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
  private readonly compression: CompressionTypes;
  private readonly topicFor: (topic: string) => string;
  private readonly cipher: EnvelopeCipher | undefined;
  private connected = false;

  constructor(kafka: Kafka, options: PublisherOptions = {}) {
    this.compression = options.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP;
    this.topicFor = options.redirectTopic ?? ((topic) => topic);
    this.cipher = options.cipher;
    // Idempotent, one request in flight: retries cannot duplicate or reorder a partition's messages.
    // kafkajs wants unbounded retries for that guarantee; callers see a slow send, never a lost one.
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      // Murmur2 on the key, as the Java client: a resource maps to the same partition from any producer.
      // Cached per key: murmur2 of every message's key was a visible share of a busy producer's CPU.
      createPartitioner: () => cachingPartitioner(Partitioners.DefaultPartitioner()),
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
    await this.producer.send({
      topic: this.topicFor(topic),
      messages: this.sealFor(topic, encoded),
      acks: -1,
      compression: this.compression,
    });
  }

  /**
   * The same send for values the caller encoded itself (a high-rate producer that writes its
   * protobuf straight into a buffer): each value must be a valid `MessageOf<T>`.
   */
  async publishEncoded(topic: TopicName, messages: readonly EncodedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // kafkajs only reads the messages, so the caller's array is passed as it is (no copy per send).
    await this.producer.send({
      topic: this.topicFor(topic),
      messages: this.sealFor(topic, messages as EncodedMessage[]),
      acks: -1,
      compression: this.compression,
    });
  }

  /** Poison input goes to `<topic>.dlq` with the reason in the body and a header, never dropped. */
  async deadLetter(letters: readonly DeadLetterInput[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const letter of letters) {
      const topic = this.topicFor(dlqTopic(letter.sourceTopic));
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
      // A dead letter of a sealed topic holds its payload (possibly a raw log line): sealed as well.
      if (this.cipher !== undefined && isSealedTopic(letter.sourceTopic)) {
        const sealed = sealMessage(this.cipher, {
          topic,
          key: letter.origin,
          value: message.value as Buffer,
        });
        message.value = sealed.value;
        message.headers = { ...message.headers, ...sealed.headers };
      }
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
    });
  }

  /**
   * Envelope-encrypts the values of a sealed topic (AAD: the topic written to and the key), with
   * the marker header; other topics' messages pass through as they are.
   */
  private sealFor<M extends { key?: string | Buffer | null; value: Buffer | string | null }>(
    topic: string,
    messages: M[],
  ): M[] {
    const cipher = this.cipher;
    if (cipher === undefined || !isSealedTopic(topic)) return messages;
    return messages.map((m) => {
      const value = typeof m.value === 'string' ? Buffer.from(m.value) : (m.value ?? Buffer.alloc(0));
      // The AAD names the topic the message really lands on: that is what a consumer reads it from.
      const sealed = sealMessage(cipher, { topic: this.topicFor(topic), key: m.key, value });
      const headers = 'headers' in m ? (m.headers as Message['headers']) : undefined;
      return { ...m, value: sealed.value, headers: { ...headers, ...sealed.headers } };
    });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}

const MAX_CACHED_KEYS = 100_000;

/**
 * The default (murmur2) partitioner, remembered per string key: a keyed partition depends only on
 * the key and the partition count, and a busy topic has far fewer keys than messages.
 */
type Partition = (args: PartitionerArgs) => number;

function cachingPartitioner(inner: Partition): Partition {
  const byTopic = new Map<string, { partitions: number; keys: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    const key = message.key;
    if (typeof key !== 'string' || (message.partition !== undefined && message.partition !== null)) {
      return inner(args);
    }
    let cache = byTopic.get(topic);
    if (cache === undefined || cache.partitions !== partitionMetadata.length) {
      cache = { partitions: partitionMetadata.length, keys: new Map() };
      byTopic.set(topic, cache);
    }
    let partition = cache.keys.get(key);
    if (partition === undefined) {
      partition = inner(args);
      if (cache.keys.size >= MAX_CACHED_KEYS) cache.keys.clear();
      cache.keys.set(key, partition);
    }
    return partition;
  };
}
