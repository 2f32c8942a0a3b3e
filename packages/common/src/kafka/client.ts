import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from '../config/transport.js';
import { PdmeError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { TopicSpec } from '../topics.js';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  readonly ssl?: KafkaConfig['ssl'];
  readonly sasl?: KafkaSecurity['sasl'];
}

/** kafkajs types each mechanism apart; ours is one record with the mechanism as a field. */
function saslOptions(sasl: KafkaSecurity['sasl']): SASLOptions | undefined {
  if (sasl === undefined) return undefined;
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

// kafkajs logs errors it is about to retry (coordinator loading, leader moved) as ERROR; what really
// fails reaches our code as a thrown error, so its own reports are warnings here.
const LEVELS: Record<number, 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own logs go through our structured logger. */
export function createKafka(options: KafkaClientOptions): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ssl: options.ssl,
    sasl: saslOptions(options.sasl),
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 10_000 },
    logCreator:
      () =>
      ({ level, label, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[LEVELS[level] ?? 'info']({ event: 'kafka.client.log', label, ...rest }, message);
      },
  });
}

/**
 * Creates missing topics; safe to call from every service at start-up. Several services racing to
 * create the same topic is fine: what counts is that every topic exists afterwards.
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return [];
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.numPartitions,
          replicationFactor: 1,
        })),
      });
    } catch (error) {
      const now = new Set(await admin.listTopics());
      const still = missing.filter((spec) => !now.has(spec.topic)).map((spec) => spec.topic);
      if (still.length > 0) {
        throw new PdmeError('UNAVAILABLE', `cannot create Kafka topics ${still.join(', ')}`, {
          cause: error,
        });
      }
    }
    return missing.map((spec) => spec.topic);
  } finally {
    await admin.disconnect();
  }
}
