import type { StatsFilter } from './statsFilter.js';
import type { StatsSnapshot, StatsSource } from './statsReader.js';

export interface CachedStatsOptions {
  /** How long one answer is reused. Default 250 ms: fresh enough for a 2 s poll, spares Redis under load. */
  readonly ttlMs?: number;
  /** Distinct filters kept at once; the oldest goes first (resource filters are unbounded otherwise). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly atMs: number;
  readonly snapshot: Promise<StatsSnapshot>;
}

/** One key per distinct filter; undefined fields are left out so {} and {cluster: undefined} agree. */
function filterKey(filter: StatsFilter): string {
  return JSON.stringify([filter.cluster, filter.resource, filter.since, filter.until]);
}

/**
 * Reuses a stats answer per filter for a short time, and lets concurrent callers with the same filter
 * share one Redis read (single flight): every request used to SCAN the forecast keys. A failed read is
 * forgotten at once so that the next caller tries again.
 */
export class CachedStatsSource implements StatsSource {
  readonly clusters: readonly string[];
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly inner: StatsSource,
    options: CachedStatsOptions = {},
  ) {
    this.clusters = inner.clusters;
    this.ttlMs = options.ttlMs ?? 250;
    this.maxEntries = options.maxEntries ?? 256;
    this.now = options.now ?? Date.now;
  }

  read(filter: StatsFilter): Promise<StatsSnapshot> {
    const key = filterKey(filter);
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached !== undefined && now - cached.atMs < this.ttlMs) return cached.snapshot;

    const snapshot = this.inner.read(filter);
    const entry: Entry = { atMs: now, snapshot };
    this.entries.delete(key); // re-inserted last, so Map order is age order
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
    snapshot.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return snapshot;
  }
}
