import { DnsUpdateError, type UpdateRequest } from './rfc2136/index.js';

/** Anything that sends one UPDATE and resolves on NOERROR (DnsUpdateClient, or a batcher). */
export interface UpdateSender {
  send(update: UpdateRequest): Promise<unknown>;
}

export interface UpdateBatcherOptions {
  readonly client: UpdateSender;
  /** Requests (one change of one name each, with its prerequisites) per message. Default 100. */
  readonly maxChanges?: number;
  /** How long a batch may wait for company before it is sent; 0 = the end of this event-loop turn. */
  readonly windowMs?: number;
  /**
   * Messages in flight per zone. BIND applies a zone's updates one after another, so a few in flight
   * hide the round trip; BIND drops updates beyond its update-quota (100 by default in 9.18).
   */
  readonly maxInFlight?: number;
}

interface Entry {
  readonly update: UpdateRequest;
  readonly names: ReadonlySet<string>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Batch {
  readonly entries: Entry[];
  readonly names: Set<string>;
}

/** Failures that say nothing about one entry in particular: every entry of the batch shares them. */
const WHOLE_MESSAGE_CODES = new Set(['BADKEY', 'BADSIG', 'BADTIME', 'NOTAUTH', 'REFUSED', 'NOTIMP']);

function namesOf(update: UpdateRequest): Set<string> {
  const names = new Set<string>();
  const add = (name: string) => names.add(name.toLowerCase().replace(/\.$/, ''));
  for (const p of update.prerequisites ?? []) add(p.name);
  for (const u of update.updates) add(u.kind === 'add' || u.kind === 'deleteRecord' ? u.record.name : u.name);
  return names;
}

function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const name of a) if (b.has(name)) return true;
  return false;
}

/** One message carrying the prerequisites and changes of several independent requests. */
function merge(zone: string, entries: readonly Entry[]): UpdateRequest {
  return {
    zone,
    prerequisites: entries.flatMap((e) => e.update.prerequisites ?? []),
    updates: entries.flatMap((e) => e.update.updates),
  };
}

/**
 * Groups the updates of many commands into few UPDATE messages, per zone. Requests that touch the same
 * name never share a message (their prerequisites would all be checked before either change) and never
 * overtake each other. When a merged message fails on a prerequisite or a malformed part, it is split
 * in halves and resent, so every request gets exactly the answer it would have had on its own.
 */
export class UpdateBatcher implements UpdateSender {
  private readonly maxChanges: number;
  private readonly windowMs: number;
  private readonly maxInFlight: number;
  private readonly zones = new Map<string, ZoneQueue>();

  constructor(private readonly options: UpdateBatcherOptions) {
    this.maxChanges = options.maxChanges ?? 100;
    this.windowMs = options.windowMs ?? 20;
    this.maxInFlight = options.maxInFlight ?? 8;
  }

  send(update: UpdateRequest): Promise<void> {
    let queue = this.zones.get(update.zone);
    if (queue === undefined) {
      queue = new ZoneQueue(update.zone, this.options.client, {
        maxChanges: this.maxChanges,
        windowMs: this.windowMs,
        maxInFlight: this.maxInFlight,
      });
      this.zones.set(update.zone, queue);
    }
    return queue.submit(update);
  }
}

class ZoneQueue {
  private pending: Batch | undefined;
  private pendingDue = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private readonly ready: Batch[] = [];
  private readonly inFlight = new Set<Batch>();

  constructor(
    private readonly zone: string,
    private readonly client: UpdateSender,
    private readonly limits: { maxChanges: number; windowMs: number; maxInFlight: number },
  ) {}

  submit(update: UpdateRequest): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = { update, names: namesOf(update), resolve, reject };
      const current = this.pending;
      if (
        current !== undefined &&
        (overlaps(current.names, entry.names) || current.entries.length >= this.limits.maxChanges)
      ) {
        this.seal();
      }
      const batch = this.pending ?? this.open();
      batch.entries.push(entry);
      for (const name of entry.names) batch.names.add(name);
      if (batch.entries.length >= this.limits.maxChanges) this.seal();
      this.pump();
    });
  }

  private open(): Batch {
    const batch: Batch = { entries: [], names: new Set() };
    this.pending = batch;
    this.pendingDue = false;
    const due = () => {
      this.timer = undefined;
      if (this.pending === batch) this.pendingDue = true;
      this.pump();
    };
    this.timer = this.limits.windowMs > 0 ? setTimeout(due, this.limits.windowMs) : setImmediate(due);
    return batch;
  }

  /** Moves the pending batch to the ready queue (it takes no more entries). */
  private seal(): void {
    if (this.pending === undefined) return;
    this.ready.push(this.pending);
    this.pending = undefined;
    this.pendingDue = false;
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
  }

  /** Sends ready batches in order while slots are free; a batch waits for in-flight work on its names. */
  private pump(): void {
    for (;;) {
      if (this.inFlight.size >= this.limits.maxInFlight) return;
      if (this.ready.length === 0) {
        // A due batch is only sealed when it can go at once; until then it keeps collecting.
        if (this.pending === undefined || !this.pendingDue) return;
        this.seal();
      }
      const head = this.ready[0];
      if (head === undefined) return;
      for (const busy of this.inFlight) if (overlaps(busy.names, head.names)) return;
      this.ready.shift();
      this.inFlight.add(head);
      void this.deliver(head.entries).finally(() => {
        this.inFlight.delete(head);
        this.pump();
      });
    }
  }

  private async deliver(entries: readonly Entry[]): Promise<void> {
    const [only] = entries;
    if (entries.length === 1 && only !== undefined) {
      await this.client.send(only.update).then(only.resolve, only.reject);
      return;
    }
    try {
      await this.client.send(merge(this.zone, entries));
      for (const e of entries) e.resolve();
    } catch (error) {
      const shared =
        !(error instanceof DnsUpdateError) || error.retryable || WHOLE_MESSAGE_CODES.has(error.code);
      if (shared) {
        for (const e of entries) e.reject(error);
        return;
      }
      const half = Math.ceil(entries.length / 2);
      await this.deliver(entries.slice(0, half));
      await this.deliver(entries.slice(half));
    }
  }
}
