import { DecayedFrequency } from './decayedFrequency.js';
import type { MoveStats, Outcome, Scoring } from './policy.js';

type Region = 'pinned' | 'window' | 'probation' | 'protected';

interface Entry {
  readonly bytes: number;
  region: Region;
}

export interface AdmissionCacheOptions {
  readonly objects: number;
  readonly capacityObjects: number;
  readonly capacityBytes: number;
  readonly stats: MoveStats;
  readonly scoring: Scoring;
  /** Admit misses into the reactive part; false: mirrors only (a miss is just a miss). */
  readonly admit: boolean;
  /** Share of the reactive room given to the admission window (W-TinyLFU: 1%). */
  readonly windowShare?: number;
}

/** Order-keeping set: insertion order is recency, first = least recently used. */
class Lru {
  readonly order = new Map<number, true>();
  bytes = 0;
  touch(object: number): void {
    this.order.delete(object);
    this.order.set(object, true);
  }
  oldest(): number | undefined {
    const first = this.order.keys().next();
    return first.done === true ? undefined : first.value;
  }
  get size(): number {
    return this.order.size;
  }
}

/**
 * One cluster's cache with two parts. Pinned entries are mirrors a policy placed (served
 * proactively, never evicted by admission; a DNS change each way). The room they leave is a
 * W-TinyLFU cache: misses enter a small LRU window; what falls out of the window competes for the
 * main SLRU (probation + protected, 80 %) against its least recently used entry and gets in only if
 * it was requested more often (decayed counts, halved every ten times the capacity), so one-off
 * requests cannot flush objects with a history. This is a per-request admission decision: a
 * reverse-proxy cache in front of all traffic can run it; PDME's DNS mirrors cannot.
 */
export class AdmissionCache {
  private readonly entries = new Map<number, Entry>();
  private readonly window = new Lru();
  private readonly probation = new Lru();
  private readonly protectedPart = new Lru();
  private readonly frequency: DecayedFrequency;
  private pinnedCount = 0;
  private pinnedBytesTotal = 0;
  private missedThisWindow = new Set<number>();
  private missedLastWindow = new Set<number>();

  constructor(private readonly options: AdmissionCacheOptions) {
    const sample = Number.isFinite(options.capacityObjects) ? options.capacityObjects : options.objects;
    this.frequency = new DecayedFrequency(options.objects, Math.max(10 * sample, 100));
  }

  /** Marks a decision-window boundary: a mirror for an object missed in the window before is late. */
  tick(): void {
    this.missedLastWindow = this.missedThisWindow;
    this.missedThisWindow = new Set();
  }

  access(object: number, bytes: number): Outcome {
    this.frequency.increment(object);
    const entry = this.entries.get(object);
    if (entry !== undefined) {
      this.onHit(object, entry);
      return entry.region === 'pinned' ? 'proactive' : 'reactive';
    }
    this.missedThisWindow.add(object);
    if (this.options.admit) this.admit(object, bytes);
    return 'miss';
  }

  /** Places a mirror; false when other mirrors leave no room for it. */
  pin(object: number, bytes: number): boolean {
    const entry = this.entries.get(object);
    if (entry?.region === 'pinned') return true;
    if (!this.fitsPinned(1, bytes)) return false;
    // Cached reactively already: the mirror only needs the DNS change.
    if (entry !== undefined) this.detach(object, entry);
    this.entries.set(object, { bytes, region: 'pinned' });
    this.pinnedCount++;
    this.pinnedBytesTotal += bytes;
    if (entry === undefined) this.count('bytesMoved', bytes);
    this.count('dnsChanges', 1);
    if (entry === undefined && this.missedLastWindow.has(object)) this.count('lateMirrors', 1);
    this.shrinkReactive();
    return true;
  }

  /** Removes a mirror: its copy stays, on probation in the reactive part, if there is room. */
  unpin(object: number): void {
    const entry = this.entries.get(object);
    if (entry?.region !== 'pinned') return;
    this.pinnedCount--;
    this.pinnedBytesTotal -= entry.bytes;
    this.count('dnsChanges', 1);
    this.entries.delete(object);
    const room = this.reactiveFits(this.mainObjects() + 1, this.mainBytes() + entry.bytes, 'main');
    if (this.options.admit && room) {
      this.attach(object, entry.bytes, 'probation');
    }
  }

  isPinned(object: number): boolean {
    return this.entries.get(object)?.region === 'pinned';
  }

  pinned(): number[] {
    return [...this.entries].filter(([, entry]) => entry.region === 'pinned').map(([object]) => object);
  }

  private onHit(object: number, entry: Entry): void {
    switch (entry.region) {
      case 'pinned':
        return;
      case 'window':
        this.window.touch(object);
        return;
      case 'protected':
        this.protectedPart.touch(object);
        return;
      case 'probation':
        // A second use in main: promoted; protected's least recent goes back on probation.
        this.detach(object, entry);
        this.attach(object, entry.bytes, 'protected');
        this.demoteProtected();
        return;
    }
  }

  private admit(object: number, bytes: number): void {
    if (!this.reactiveFits(1, bytes, 'all')) return;
    this.attach(object, bytes, 'window');
    this.count('bytesMoved', bytes);
    // The window always holds its newest entry, however large: it must pass through.
    while (this.window.size > 1 && !this.reactiveFits(this.window.size, this.window.bytes, 'window')) {
      const candidate = this.window.oldest();
      if (candidate === undefined) break;
      this.promoteFromWindow(candidate);
    }
    this.shrinkReactive();
  }

  /** A window leaver enters main if there is room, or if it is used more than main's victim. */
  private promoteFromWindow(candidate: number): void {
    const entry = this.entries.get(candidate);
    if (entry === undefined) return;
    this.detach(candidate, entry);
    const mainFits = (): boolean =>
      this.reactiveFits(this.mainObjects() + 1, this.mainBytes() + entry.bytes, 'main');
    const victims: number[] = [];
    let freedObjects = 0;
    let freedBytes = 0;
    const victimOrder = [...this.probation.order.keys(), ...this.protectedPart.order.keys()];
    for (const victim of victimOrder) {
      if (
        this.reactiveFits(
          this.mainObjects() + 1 - freedObjects,
          this.mainBytes() + entry.bytes - freedBytes,
          'main',
        )
      )
        break;
      if (this.frequency.estimate(candidate) <= this.frequency.estimate(victim)) {
        this.entries.delete(candidate);
        return;
      }
      victims.push(victim);
      freedObjects++;
      freedBytes += this.entries.get(victim)?.bytes ?? 0;
    }
    for (const victim of victims) this.evict(victim);
    if (!mainFits()) {
      this.entries.delete(candidate);
      return;
    }
    this.attach(candidate, entry.bytes, 'probation');
  }

  private demoteProtected(): void {
    while (!this.reactiveFits(this.protectedPart.size, this.protectedPart.bytes, 'protected')) {
      const oldest = this.protectedPart.oldest();
      if (oldest === undefined) return;
      const entry = this.entries.get(oldest);
      if (entry === undefined) return;
      this.detach(oldest, entry);
      this.attach(oldest, entry.bytes, 'probation');
    }
  }

  /**
   * When mirrors or a large newcomer took room: protected gives back what exceeds its share, then
   * probation, window and protected entries are evicted, least recent first, until all fits.
   */
  private shrinkReactive(): void {
    this.demoteProtected();
    const parts = [this.probation, this.window, this.protectedPart];
    for (const part of parts) {
      while (!this.reactiveFits(this.reactiveObjects(), this.reactiveBytes(), 'all')) {
        const oldest = part.oldest();
        if (oldest === undefined) break;
        this.evict(oldest);
      }
    }
  }

  private fitsPinned(objects: number, bytes: number): boolean {
    return (
      this.pinnedCount + objects <= this.options.capacityObjects &&
      this.pinnedBytesTotal + bytes <= this.options.capacityBytes
    );
  }

  /** Whether `objects`/`bytes` fit the reactive room's part: all of it, its window, main or protected. */
  private reactiveFits(
    objects: number,
    bytes: number,
    part: 'all' | 'window' | 'main' | 'protected',
  ): boolean {
    const roomObjects = this.options.capacityObjects - this.pinnedCount;
    const roomBytes = this.options.capacityBytes - this.pinnedBytesTotal;
    const share = this.options.windowShare ?? 0.01;
    const windowObjects = Math.max(1, Math.floor(roomObjects * share));
    const windowBytes = roomBytes * share;
    const limits: Record<typeof part, [number, number]> = {
      all: [roomObjects, roomBytes],
      window: [windowObjects, windowBytes],
      main: [roomObjects - Math.min(this.window.size, windowObjects), roomBytes - this.window.bytes],
      // An unlimited dimension stays unlimited (Infinity − Infinity would be NaN).
      protected: [
        Number.isFinite(roomObjects) ? Math.floor(0.8 * (roomObjects - windowObjects)) : Infinity,
        Number.isFinite(roomBytes) ? 0.8 * (roomBytes - windowBytes) : Infinity,
      ],
    };
    const [maxObjects, maxBytes] = limits[part];
    return objects <= maxObjects && bytes <= maxBytes;
  }

  private reactiveObjects(): number {
    return this.window.size + this.mainObjects();
  }

  private reactiveBytes(): number {
    return this.window.bytes + this.mainBytes();
  }

  private mainObjects(): number {
    return this.probation.size + this.protectedPart.size;
  }

  private mainBytes(): number {
    return this.probation.bytes + this.protectedPart.bytes;
  }

  private attach(object: number, bytes: number, region: Exclude<Region, 'pinned'>): void {
    this.entries.set(object, { bytes, region });
    const part = this.part(region);
    part.order.set(object, true);
    part.bytes += bytes;
  }

  private detach(object: number, entry: Entry): void {
    if (entry.region === 'pinned') return;
    const part = this.part(entry.region);
    part.order.delete(object);
    part.bytes -= entry.bytes;
  }

  private evict(object: number): void {
    const entry = this.entries.get(object);
    if (entry === undefined) return;
    this.detach(object, entry);
    this.entries.delete(object);
  }

  private part(region: Exclude<Region, 'pinned'>): Lru {
    return region === 'window' ? this.window : region === 'probation' ? this.probation : this.protectedPart;
  }

  private count(what: keyof MoveStats, by: number): void {
    if (this.options.scoring.on) this.options.stats[what] += by;
  }
}
