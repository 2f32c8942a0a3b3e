/**
 * Lets a trait combination through only once at least k distinct clients (client hashes of the
 * current key epoch) have shown it. Memory is bounded: at most `maxGroups` groups, each holding at
 * most k hashes until it is released (then only a flag); the least recently used group is evicted
 * first, which at worst delays a rare group's release, never releases one early.
 */
export interface KAnonymityOptions {
  readonly k: number;
  readonly maxGroups?: number;
}

interface Group {
  epoch: number;
  /** undefined once released: no need to remember who was in it. */
  hashes: Set<string> | undefined;
}

export class KAnonymityGate {
  private readonly groups = new Map<string, Group>();
  private readonly maxGroups: number;

  constructor(private readonly options: KAnonymityOptions) {
    this.maxGroups = options.maxGroups ?? 50_000;
  }

  /** Records that `clientHash` belongs to `group`; true when the group now has at least k clients. */
  admit(group: string, clientHash: string, epoch: number): boolean {
    if (this.options.k <= 1) return true;
    let entry = this.groups.get(group);
    if (entry !== undefined) this.groups.delete(group); // re-inserted below: most recent last
    // Hashes of different key epochs cannot be compared, so a new epoch starts the count again.
    if (entry === undefined || entry.epoch !== epoch) {
      entry = { epoch, hashes: new Set() };
      this.evictIfFull();
    }
    this.groups.set(group, entry);
    if (entry.hashes === undefined) return true;
    entry.hashes.add(clientHash);
    if (entry.hashes.size < this.options.k) return false;
    entry.hashes = undefined;
    return true;
  }

  get size(): number {
    return this.groups.size;
  }

  private evictIfFull(): void {
    if (this.groups.size < this.maxGroups) return;
    const oldest = this.groups.keys().next();
    if (oldest.done !== true) this.groups.delete(oldest.value);
  }
}
