import type { MoveStats, Outcome, Scoring } from './policy.js';

interface Entry {
  readonly bytes: number;
  pinned: boolean;
}

export interface SimCacheOptions {
  readonly capacityObjects: number;
  readonly capacityBytes: number;
  /** Admit objects on a miss (reactive LRU) in whatever room mirrors leave. */
  readonly admitOnMiss: boolean;
  readonly stats: MoveStats;
  readonly scoring: Scoring;
}

/**
 * One cluster's cache: pinned entries are mirrors a policy placed (served proactively, never
 * evicted by admission), unpinned entries form an LRU filled on misses. A mirror costs a DNS change
 * when placed and when removed; filling the cache costs the bytes moved.
 */
export class SimCache {
  private readonly entries = new Map<number, Entry>();
  /** Unpinned entries, least recently used first. */
  private readonly lru = new Map<number, true>();
  private pinnedCount = 0;
  private pinnedBytesTotal = 0;
  private usedBytes = 0;
  private missedThisWindow = new Set<number>();
  private missedLastWindow = new Set<number>();

  constructor(private readonly options: SimCacheOptions) {}

  /** Marks a window boundary: a mirror for an object missed in the window before is late. */
  tick(): void {
    this.missedLastWindow = this.missedThisWindow;
    this.missedThisWindow = new Set();
  }

  access(object: number, bytes: number): Outcome {
    const entry = this.entries.get(object);
    if (entry !== undefined) {
      if (entry.pinned) return 'proactive';
      this.lru.delete(object);
      this.lru.set(object, true);
      return 'reactive';
    }
    this.missedThisWindow.add(object);
    if (this.options.admitOnMiss && this.makeRoom(bytes)) {
      this.insert(object, bytes, false);
      this.lru.set(object, true);
    }
    return 'miss';
  }

  /** Places a mirror; false when pinned entries leave no room for it. */
  pin(object: number, bytes: number): boolean {
    const entry = this.entries.get(object);
    if (entry?.pinned === true) return true;
    if (entry !== undefined) {
      // Already cached reactively: the mirror only needs the DNS change.
      this.lru.delete(object);
      entry.pinned = true;
      this.pinnedCount++;
      this.pinnedBytesTotal += entry.bytes;
      this.count('dnsChanges', 1);
      return true;
    }
    if (!this.makeRoom(bytes)) return false;
    this.insert(object, bytes, true);
    this.pinnedCount++;
    this.pinnedBytesTotal += bytes;
    this.count('dnsChanges', 1);
    if (this.missedLastWindow.has(object)) this.count('lateMirrors', 1);
    return true;
  }

  /** Removes a mirror: its DNS name goes back to the origin; the copy stays for the LRU if any. */
  unpin(object: number): void {
    const entry = this.entries.get(object);
    if (entry?.pinned !== true) return;
    entry.pinned = false;
    this.pinnedCount--;
    this.pinnedBytesTotal -= entry.bytes;
    this.count('dnsChanges', 1);
    if (this.options.admitOnMiss) {
      this.lru.set(object, true);
    } else {
      this.entries.delete(object);
      this.usedBytes -= entry.bytes;
    }
  }

  has(object: number): boolean {
    return this.entries.has(object);
  }

  isPinned(object: number): boolean {
    return this.entries.get(object)?.pinned === true;
  }

  pinned(): number[] {
    return [...this.entries].filter(([, entry]) => entry.pinned).map(([object]) => object);
  }

  /** Bytes held by mirrors (what a reservation would count). */
  get pinnedBytes(): number {
    return this.pinnedBytesTotal;
  }

  get pinnedObjects(): number {
    return this.pinnedCount;
  }

  private insert(object: number, bytes: number, pinned: boolean): void {
    this.entries.set(object, { bytes, pinned });
    this.usedBytes += bytes;
    this.count('bytesMoved', bytes);
  }

  /** Evicts least recently used unpinned entries until `bytes` fit; false (evicting nothing) if they never can. */
  private makeRoom(bytes: number): boolean {
    const { capacityObjects, capacityBytes } = this.options;
    if (this.pinnedCount + 1 > capacityObjects || this.pinnedBytesTotal + bytes > capacityBytes) return false;
    for (const object of this.lru.keys()) {
      if (this.entries.size + 1 <= capacityObjects && this.usedBytes + bytes <= capacityBytes) break;
      const entry = this.entries.get(object);
      this.lru.delete(object);
      this.entries.delete(object);
      this.usedBytes -= entry?.bytes ?? 0;
    }
    return true;
  }

  private count(what: keyof SimCacheOptions['stats'], by: number): void {
    if (this.options.scoring.on) this.options.stats[what] += by;
  }
}
