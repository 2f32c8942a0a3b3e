import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { decodeMessage } from '@pdme/common/messages';
import {
  DeadLetter,
  type AccessEvent,
  type DemandForecast,
  type MirrorCommand,
  type MirrorResult,
  type QueryEvent,
} from '@pdme/common/proto';
import { TOPICS, dlqTopic, type TopicName } from '@pdme/common/topics';
import { stackOpener } from '../support/sealedTopics.js';

/**
 * Reads every PDME topic and dead-letter topic from offsets taken before the harness sent anything,
 * for as long as a run lasts, and keeps what concerns the run's resources (names containing
 * `marker`). Every payload, the run's or not, is also scanned for the raw client addresses the run
 * used. After a broker restart the consumer is rebuilt from where it stopped, so nothing is skipped.
 */

export const DATA_TOPICS: readonly TopicName[] = Object.values(TOPICS);
export const ALL_TOPICS: readonly string[] = DATA_TOPICS.flatMap((t) => [t, dlqTopic(t)]);

export interface Collected {
  readonly queries: QueryEvent[];
  readonly access: AccessEvent[];
  readonly forecasts: DemandForecast[];
  readonly commands: MirrorCommand[];
  readonly results: MirrorResult[];
  /** Dead letters on every `.dlq` topic (all of them: poison need not name a resource). */
  readonly deadLetters: (DeadLetter & { topic: string })[];
  /** Payloads that did not decode on a data topic (the harness's own poison, or a bug). */
  undecodable: number;
  /** Messages (topic@partition:offset) whose bytes hold a raw client address of the run. */
  readonly addressLeaks: string[];
}

export function emptyCollected(): Collected {
  return {
    queries: [],
    access: [],
    forecasts: [],
    commands: [],
    results: [],
    deadLetters: [],
    undecodable: 0,
    addressLeaks: [],
  };
}

export type Offsets = Map<string, Map<number, number>>;

export class TopicCollector {
  readonly data = emptyCollected();
  private consumer: Consumer | undefined;
  /** Next offset to read, per topic and partition. */
  private readonly next: Offsets = new Map();
  /** Sealed payloads (query and access events, their dead letters) are read with the stack's keyring. */
  private readonly open = stackOpener();
  private readonly forbidden: { text: Buffer[]; binary: Buffer[] } = { text: [], binary: [] };
  private seen = 0;
  /** Errors that stopped the consumer (each followed by a rebuild). */
  readonly crashes: string[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly marker: string,
  ) {}

  static forBroker(bootstrap: string, marker: string): TopicCollector {
    const kafka = new Kafka({ clientId: 'pdme-chaos', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    return new TopicCollector(kafka, marker);
  }

  /** Raw client addresses that must never appear on a topic, as text and as 4 wire bytes. */
  forbid(addresses: Iterable<string>): void {
    for (const address of addresses) {
      const text = Buffer.from(address);
      if (this.forbidden.text.some((b) => b.equals(text))) continue;
      this.forbidden.text.push(text);
      this.forbidden.binary.push(Buffer.from(address.split('.').map(Number)));
    }
  }

  /** Messages read so far (any topic). */
  get count(): number {
    return this.seen;
  }

  async ends(): Promise<Offsets> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const result: Offsets = new Map();
      for (const topic of ALL_TOPICS) {
        const offsets = await admin.fetchTopicOffsets(topic);
        result.set(topic, new Map(offsets.map((p) => [p.partition, Number(p.high)])));
      }
      return result;
    } finally {
      await admin.disconnect();
    }
  }

  /** Starts reading at the topics' current ends. */
  async start(): Promise<void> {
    for (const [topic, partitions] of await this.ends()) this.next.set(topic, new Map(partitions));
    await this.connect();
  }

  /** Rebuilds the consumer from the last offsets read (after a broker restart), retrying a while. */
  async restart(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.stopConsumer();
      try {
        await this.connect();
        return;
      } catch (error) {
        // A broker just back may not coordinate groups yet.
        if (attempt >= 15)
          throw new Error(`chaos: topic reader could not reconnect: ${String(error)}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
  }

  async stop(): Promise<void> {
    await this.stopConsumer();
  }

  /** Resolves once every partition was read up to its end as of now (or throws after `timeoutMs`). */
  async caughtUp(timeoutMs = 60_000): Promise<void> {
    const target = await this.ends();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = [...target].flatMap(([topic, partitions]) =>
        [...partitions]
          .filter(([p, high]) => (this.next.get(topic)?.get(p) ?? 0) < high)
          .map(([p]) => `${topic}/${p}`),
      );
      if (behind.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`chaos: topic reader still behind on ${behind.slice(0, 5).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async stopConsumer(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `pdme-chaos-${randomBytes(6).toString('hex')}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 200,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.crashes.push(String(payload.error));
      // kafkajs restarts by itself after retriable errors; after any other the reader is rebuilt.
      if (!payload.restart && this.consumer === consumer) void this.restart().catch(() => undefined);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...ALL_TOPICS], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const offset = Number(message.offset);
        const next = this.next.get(topic) ?? new Map<number, number>();
        this.next.set(topic, next);
        if (offset < (next.get(partition) ?? 0)) return;
        next.set(partition, offset + 1);
        this.seen++;
        if (message.value !== null)
          this.take(topic, `${topic}/${partition}@${offset}`, this.open(topic, message));
      },
    });
    for (const [topic, partitions] of this.next)
      for (const [partition, offset] of partitions)
        consumer.seek({ topic, partition, offset: String(offset) });
  }

  private take(topic: string, where: string, value: Buffer): void {
    if (
      this.forbidden.text.some((b) => value.includes(b)) ||
      this.forbidden.binary.some((b) => value.includes(b))
    )
      this.data.addressLeaks.push(where);
    if (topic.endsWith('.dlq')) {
      try {
        this.data.deadLetters.push({ ...DeadLetter.decode(value), topic });
      } catch {
        this.data.undecodable++;
      }
      return;
    }
    const mine = (resource: string) => resource.includes(this.marker);
    try {
      switch (topic) {
        case TOPICS.dnsQueries: {
          const e = decodeMessage(TOPICS.dnsQueries, value);
          if (mine(e.resource)) this.data.queries.push(e);
          break;
        }
        case TOPICS.accessLogs: {
          const e = decodeMessage(TOPICS.accessLogs, value);
          if (mine(e.resource)) this.data.access.push(e);
          break;
        }
        case TOPICS.demandForecasts: {
          const e = decodeMessage(TOPICS.demandForecasts, value);
          if (mine(e.resource)) this.data.forecasts.push(e);
          break;
        }
        case TOPICS.mirrorCommands: {
          const e = decodeMessage(TOPICS.mirrorCommands, value);
          if (mine(e.resource)) this.data.commands.push(e);
          break;
        }
        case TOPICS.mirrorResults: {
          const e = decodeMessage(TOPICS.mirrorResults, value);
          if (mine(e.resource)) this.data.results.push(e);
          break;
        }
        default:
          break;
      }
    } catch {
      this.data.undecodable++;
    }
  }
}
