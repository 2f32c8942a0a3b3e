import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { openConsumed, openFailureReason, type EnvelopeCipher } from '@pdme/common/crypto';
import type { InfluenceCapOptions } from '@pdme/common/fairness';
import type { Logger } from '@pdme/common/logging';
import { decodeMessage } from '@pdme/common/messages';
import { TOPICS } from '@pdme/common/topics';
import { WindowCounter, type AddOutcome, type ClosedWindow } from './windowCounter.js';
import type { WindowStateStore } from './windowStateStore.js';

export interface WindowPipelineOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  /** The query topic (a test passes its own topic carrying the same QueryEvent messages). */
  readonly topic?: string;
  readonly store: WindowStateStore;
  readonly logger: Logger;
  readonly windowMs: number;
  readonly allowedLatenessMs: number;
  /** A partition's state is persisted (and its offset committed) at most this often while consuming. */
  readonly persistEveryMs: number;
  /** Event-time watermark: live, the wall clock (queries arrive in real time). */
  readonly watermark: () => number;
  readonly onOutcome?: (outcome: AddOutcome | 'undecodable') => void;
  /** Payloads that do not decode; the live service dead-letters them. */
  readonly onPoison?: (origin: string, reason: string, payload: Buffer) => Promise<void>;
  /** Caps each client group's contribution per window (forecast poisoning); absent: raw counts. */
  readonly influenceCap?: InfluenceCapOptions;
  /** Opens sealed query events; one under an unknown key id is poison (dead-lettered with the reason). */
  readonly cipher?: EnvelopeCipher;
}

interface PartitionState {
  readonly counter: WindowCounter;
  /** Offset of the first message not in `counter`. */
  nextOffset: number;
  persistedOffset: number;
  persistedAtMs: number;
}

/**
 * Query events -> per-partition window counters, exactly once across restarts: each partition's
 * open windows are persisted with the offset they cover, Kafka offsets are committed only up to
 * what is persisted, and on assignment the state is restored and messages it already holds are
 * skipped by offset. Replays by the producer are dropped by event id within the open windows.
 */
export class WindowPipeline {
  private readonly consumer: Consumer;
  private readonly topic: string;
  private readonly partitions = new Map<number, PartitionState>();
  private loading = new Map<number, Promise<PartitionState>>();

  constructor(private readonly options: WindowPipelineOptions) {
    this.topic = options.topic ?? TOPICS.dnsQueries;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    // A partition that moved away is the new owner's: it restores from the store.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const mine = new Set(payload.memberAssignment[this.topic] ?? []);
      for (const partition of this.partitions.keys()) {
        if (!mine.has(partition)) {
          this.partitions.delete(partition);
          this.loading.delete(partition);
        }
      }
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
  }

  /**
   * Closes due windows in every partition, hands them to `emit`, then persists what changed: a
   * crash in between emits them again after the restart (same counts), never loses them.
   */
  async closeDue(emit: (windows: ClosedWindow[]) => Promise<void>): Promise<void> {
    const watermark = this.options.watermark();
    const closed: ClosedWindow[] = [];
    const touched: number[] = [];
    for (const [partition, state] of this.partitions) {
      const windows = state.counter.closeUpTo(watermark);
      if (windows.length > 0) touched.push(partition);
      closed.push(...windows);
    }
    await emit(closed.sort((a, b) => a.windowStartMs - b.windowStartMs));
    for (const partition of touched) await this.persist(partition);
  }

  /** Offset of the next message each owned partition will count. */
  positions(): Map<number, number> {
    return new Map([...this.partitions].map(([p, s]) => [p, s.nextOffset]));
  }

  /** Persists every partition's state, then leaves the group (a clean shutdown). */
  async stop(): Promise<void> {
    // Paused, not stopped: offsets can still be committed while the group is joined.
    this.consumer.pause([{ topic: this.topic }]);
    for (const partition of this.partitions.keys()) await this.persist(partition);
    await this.consumer.disconnect();
  }

  /** Leaves without persisting anything more, as a crash would (tests). */
  async abandon(): Promise<void> {
    this.partitions.clear();
    await this.consumer.disconnect();
  }

  get seriesCount(): number {
    let n = 0;
    for (const state of this.partitions.values()) n += state.counter.seriesCount;
    return n;
  }

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const state = await this.partitionState(batch.partition);
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const offset = Number(message.offset);
      if (offset >= state.nextOffset) {
        this.count(batch.partition, message, state);
        state.nextOffset = offset + 1;
      }
      payload.resolveOffset(message.offset);
    }
    if (Date.now() - state.persistedAtMs >= this.options.persistEveryMs) await this.persist(batch.partition);
    await payload.heartbeat();
  }

  private count(partition: number, message: KafkaMessage, state: PartitionState): void {
    const { offset } = message;
    const payload = message.value ?? Buffer.alloc(0);
    let plaintext: Buffer;
    try {
      plaintext = openConsumed(this.options.cipher, {
        topic: this.topic,
        key: message.key,
        value: payload,
        headers: message.headers,
      });
    } catch (error) {
      this.options.onOutcome?.('undecodable');
      void this.options.onPoison?.(`${this.topic}/${partition}@${offset}`, openFailureReason(error), payload);
      return;
    }
    try {
      const event = decodeMessage(TOPICS.dnsQueries, plaintext);
      this.options.onOutcome?.(state.counter.add(event));
    } catch (error) {
      this.options.onOutcome?.('undecodable');
      void this.options.onPoison?.(
        `${this.topic}/${partition}@${offset}`,
        `decode: ${String(error)}`,
        payload,
      );
    }
  }

  private partitionState(partition: number): Promise<PartitionState> {
    const known = this.partitions.get(partition);
    if (known !== undefined) return Promise.resolve(known);
    let pending = this.loading.get(partition);
    if (pending === undefined) {
      pending = this.restore(partition);
      this.loading.set(partition, pending);
    }
    return pending;
  }

  private async restore(partition: number): Promise<PartitionState> {
    const { windowMs, allowedLatenessMs, influenceCap } = this.options;
    const counter = new WindowCounter({ windowMs, allowedLatenessMs, influenceCap });
    const saved = await this.options.store.load(partition);
    if (saved !== undefined) counter.restore(saved.windows);
    const nextOffset = saved?.nextOffset ?? 0;
    const state: PartitionState = {
      counter,
      nextOffset,
      persistedOffset: nextOffset,
      persistedAtMs: Date.now(),
    };
    this.partitions.set(partition, state);
    this.loading.delete(partition);
    this.options.logger.info(
      {
        event: 'forecaster.windows.restored',
        partition,
        nextOffset,
        series: counter.seriesCount,
      },
      'window state restored',
    );
    return state;
  }

  private async persist(partition: number): Promise<void> {
    const state = this.partitions.get(partition);
    if (state === undefined) return;
    // Snapshot and offset are taken together, synchronously: no message can slip in between.
    const nextOffset = state.nextOffset;
    const windows = state.counter.snapshot();
    state.persistedAtMs = Date.now();
    await this.options.store.save(partition, { nextOffset, windows });
    if (nextOffset <= state.persistedOffset) return;
    state.persistedOffset = nextOffset;
    try {
      await this.consumer.commitOffsets([{ topic: this.topic, partition, offset: String(nextOffset) }]);
    } catch (error) {
      // Harmless: the stored offset is authoritative, and messages before it are skipped on replay.
      this.options.logger.warn(
        { event: 'forecaster.windows.commit_failed', partition, nextOffset, error: String(error) },
        'offset commit failed',
      );
    }
  }
}
