import type { EventPublisher } from '@pdme/ingest';
import { encodeMessage } from '@pdme/common/messages';
import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';

/**
 * Publishes what ingest would publish (same protobuf, same key) to a bench topic instead of the live
 * one, so the running forecaster never sees bench traffic. Producer settings are those of
 * @pdme/common's Publisher: idempotent, one request in flight, acks all, gzip, murmur2 keys.
 */
export class BenchPublisher implements EventPublisher {
  readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
  }

  publish: EventPublisher['publish'] = async (topic, messages) => {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: messages.map((m) => ({ key: m.key, value: encodeMessage(topic, m.value) })),
    });
  };

  deadLetter: EventPublisher['deadLetter'] = async (letters) => {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: letters.map((l) => ({ key: l.origin, value: Buffer.from(l.payload) })),
    });
  };
}
