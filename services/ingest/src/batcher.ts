import { backoffMs, sleep } from '@pdme/common/lifecycle';

export interface BatcherOptions<T> {
  readonly maxBatch: number;
  /** How long a partial batch may wait for company before it is sent. */
  readonly lingerMs: number;
  readonly send: (items: T[]) => Promise<void>;
  /** Called on each failed send; the batch is retried with backoff until it goes through. */
  readonly onSendError: (error: unknown, attempt: number) => void;
  /**
   * Full batches that may be unacknowledged before `add` waits (default 1: `add` waits for the
   * batch it completed). 2 lets the next batch fill while one is on the wire.
   */
  readonly maxPendingBatches?: number;
}

/**
 * What `add` returns while there is room: already resolved, shared, so the common case allocates
 * nothing; a caller that must not yield per item (a socket reader) compares against it.
 */
export const ROOM: Promise<void> = Promise.resolve();

/**
 * Groups items into batches and sends them one batch at a time, in order. `add` resolves only once
 * the item is buffered below the batch limit, so a caller that awaits it (a socket reader) is paused
 * while Kafka is slow or down: memory stays bounded and nothing is dropped.
 */
export class Batcher<T> {
  private buffer: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private closed = false;
  /** Batches handed to the chain and not yet acknowledged, oldest first. */
  private readonly sending: Promise<void>[] = [];

  constructor(private readonly options: BatcherOptions<T>) {}

  /** `ROOM` when the item fits; otherwise a promise that resolves once the batch limit allows more. */
  add(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error('batcher: closed'));
    this.buffer.push(item);
    if (this.buffer.length >= this.options.maxBatch) {
      void this.flush();
      return this.waitForRoom();
    }
    this.timer ??= setTimeout(() => void this.flush(), this.options.lingerMs);
    return ROOM;
  }

  /** Sends what is buffered; resolves when every batch handed over so far has been acknowledged. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length > 0) {
      const sent = this.inFlight.then(() => this.sendWithRetry(batch));
      this.inFlight = sent;
      this.sending.push(sent);
      // Batches complete in order, so the one that just finished is the oldest.
      void sent.then(() => this.sending.shift());
    }
    return this.inFlight;
  }

  /** Flushes and refuses further items: part of a graceful drain. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  get buffered(): number {
    return this.buffer.length;
  }

  private async waitForRoom(): Promise<void> {
    const limit = Math.max(1, this.options.maxPendingBatches ?? 1);
    for (let oldest = this.sending[0]; oldest !== undefined && this.sending.length >= limit;) {
      await oldest;
      oldest = this.sending[0];
    }
  }

  private async sendWithRetry(batch: T[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.send(batch);
        return;
      } catch (error) {
        this.options.onSendError(error, attempt);
        await sleep(backoffMs(attempt, 200, 10_000));
      }
    }
  }
}
