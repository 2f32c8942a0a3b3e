import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Registry } from 'prom-client';
import { openConsumed, openFailureReason } from '../crypto/atRest.js';
import type { EnvelopeCipher } from '../crypto/envelope.js';
import { errorMessage, toPdmeError } from '../errors/index.js';
import { backoffMs, sleep } from '../lifecycle/index.js';
import type { Logger } from '../logging/index.js';
import { decodeMessage, type MessageOf } from '../messages.js';
import { counter } from '../metrics/registry.js';
import type { TopicName } from '../topics.js';
import type { Publisher } from './publisher.js';

export interface MessageContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | undefined;
  /** Broker timestamp, milliseconds since the epoch. */
  readonly timestampMs: number;
}

export interface TopicConsumerOptions<T extends TopicName> {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topic: T;
  readonly service: string;
  readonly logger: Logger;
  /** Dead letters are published through it. */
  readonly publisher: Publisher;
  readonly registry: Registry;
  readonly handle: (message: MessageOf<T>, context: MessageContext) => Promise<void>;
  /** Attempts for a retryable failure before the message goes to the DLQ; Infinity waits forever. */
  readonly maxAttempts?: number;
  readonly fromBeginning?: boolean;
  /** Opens sealed payloads; one sealed under an unknown key id is dead-lettered with that reason. */
  readonly cipher?: EnvelopeCipher;
}

/**
 * Consumes one topic in a consumer group. A message that does not decode, or whose handler fails
 * with a non-retryable error, goes to `<topic>.dlq` with the reason; a retryable failure is retried
 * with backoff (sending heartbeats meanwhile) and only then dead-lettered. Offsets are committed
 * after the handler returns, so a crash re-delivers: handlers must be idempotent.
 */
export class TopicConsumer<T extends TopicName> {
  private readonly consumer: Consumer;
  private readonly abort = new AbortController();
  private readonly consumed;
  private readonly deadLetters;

  constructor(private readonly options: TopicConsumerOptions<T>) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    this.consumed = counter(options.registry, 'pdme_kafka_consumed_messages_total', 'Messages consumed', [
      'topic',
      'group',
    ]);
    this.deadLetters = counter(options.registry, 'pdme_kafka_dead_letters_total', 'Messages sent to a DLQ', [
      'topic',
      'group',
    ]);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topic: this.options.topic,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      eachMessage: async (payload) => {
        await this.process(payload.topic, payload.partition, payload.message, () => payload.heartbeat());
      },
    });
  }

  /** Leaves the group cleanly so partitions move to the other instances at once. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.consumer.disconnect();
  }

  private async process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const { options } = this;
    const context: MessageContext = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString(),
      timestampMs: Number(message.timestamp),
    };
    const origin = `${topic}/${partition}@${message.offset}`;
    const payload = message.value ?? Buffer.alloc(0);
    this.consumed.inc({ topic, group: options.groupId });
    let plaintext: Buffer;
    try {
      plaintext = openConsumed(options.cipher, {
        topic,
        key: message.key,
        value: payload,
        headers: message.headers,
      });
    } catch (error) {
      // The sealed payload goes to the DLQ as it came: it can be replayed once the key is known.
      await this.toDeadLetter(origin, openFailureReason(error), payload);
      return;
    }
    let decoded: MessageOf<T>;
    try {
      decoded = decodeMessage(options.topic, plaintext);
    } catch (error) {
      await this.toDeadLetter(origin, `decode: ${errorMessage(error)}`, payload);
      return;
    }
    const maxAttempts = options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await options.handle(decoded, context);
        return;
      } catch (raw) {
        const error = toPdmeError(raw);
        const exhausted = attempt >= maxAttempts || this.abort.signal.aborted;
        if (!error.retryable || exhausted) {
          if (error.retryable && this.abort.signal.aborted) throw error; // shutting down: redeliver later
          await this.toDeadLetter(origin, `${error.code}: ${error.message}`, payload);
          return;
        }
        const wait = backoffMs(attempt);
        options.logger.warn(
          {
            event: `${options.service}.kafka.handle_retry`,
            origin,
            attempt,
            waitMs: wait,
            error: error.message,
          },
          'retrying message',
        );
        await sleep(wait, this.abort.signal);
        await heartbeat();
      }
    }
  }

  private async toDeadLetter(origin: string, reason: string, payload: Uint8Array): Promise<void> {
    const { options } = this;
    options.logger.warn(
      { event: `${options.service}.kafka.dead_letter`, origin, reason },
      'message dead-lettered',
    );
    await options.publisher.deadLetter([
      { sourceTopic: options.topic, origin, reason, payload, service: options.service },
    ]);
    this.deadLetters.inc({ topic: options.topic, group: options.groupId });
  }
}
