import {
  capInfluence,
  DEFAULT_INFLUENCE_CAP,
  type CappedCount,
  type InfluenceCapOptions,
} from './influenceCap.js';

export interface Contribution {
  readonly resource: string;
  readonly cluster: string;
  readonly tsMs: number;
  /** ClientTraits.client_hash; prefix it with key_epoch if windows may straddle an epoch change. */
  readonly clientHash: string;
}

export interface CappedWindow extends CappedCount {
  readonly resource: string;
  readonly cluster: string;
  readonly windowStartMs: number;
}

export interface InfluenceLedgerOptions {
  readonly windowMs: number;
  readonly cap?: InfluenceCapOptions;
  /**
   * Distinct groups remembered per window. Past it, new groups count as one contribution each
   * (a crowd that wide is not one group's flood), which bounds memory per window.
   */
  readonly maxGroupsPerWindow?: number;
}

interface WindowTally {
  readonly resource: string;
  readonly cluster: string;
  readonly windowStartMs: number;
  readonly perGroup: Map<string, number>;
  /** Contributions of groups beyond the memory bound, each counted as its own group. */
  overflow: number;
}

/**
 * Per (resource, cluster, tumbling window) tallies of contributions by client group, closed into
 * capped counts. Feed it events the window counter has already de-duplicated; close windows when
 * the counter closes them, so both agree on what a window holds.
 */
export class InfluenceLedger {
  private readonly windows = new Map<string, WindowTally>();
  private readonly cap: InfluenceCapOptions;
  private readonly maxGroups: number;

  constructor(private readonly options: InfluenceLedgerOptions) {
    if (!(options.windowMs > 0)) throw new RangeError('influence ledger: windowMs must be positive');
    this.cap = options.cap ?? DEFAULT_INFLUENCE_CAP;
    this.maxGroups = options.maxGroupsPerWindow ?? 100_000;
  }

  windowStart(tsMs: number): number {
    return Math.floor(tsMs / this.options.windowMs) * this.options.windowMs;
  }

  add(contribution: Contribution): void {
    const windowStartMs = this.windowStart(contribution.tsMs);
    const key = tallyKey(contribution.resource, contribution.cluster, windowStartMs);
    let tally = this.windows.get(key);
    if (tally === undefined) {
      tally = {
        resource: contribution.resource,
        cluster: contribution.cluster,
        windowStartMs,
        perGroup: new Map(),
        overflow: 0,
      };
      this.windows.set(key, tally);
    }
    const seen = tally.perGroup.get(contribution.clientHash);
    if (seen !== undefined) tally.perGroup.set(contribution.clientHash, seen + 1);
    else if (tally.perGroup.size < this.maxGroups) tally.perGroup.set(contribution.clientHash, 1);
    else tally.overflow += 1;
  }

  /** Closes one window (forgetting it); an unseen window closes with zero counts. */
  close(resource: string, cluster: string, windowStartMs: number): CappedWindow {
    const key = tallyKey(resource, cluster, windowStartMs);
    const tally = this.windows.get(key);
    this.windows.delete(key);
    return { resource, cluster, windowStartMs, ...this.capTally(tally) };
  }

  /** Closes every window that ends at or before `watermarkMs`, oldest first. */
  closeUntil(watermarkMs: number): CappedWindow[] {
    const closed: CappedWindow[] = [];
    for (const [key, tally] of this.windows) {
      if (tally.windowStartMs + this.options.windowMs > watermarkMs) continue;
      this.windows.delete(key);
      closed.push({
        resource: tally.resource,
        cluster: tally.cluster,
        windowStartMs: tally.windowStartMs,
        ...this.capTally(tally),
      });
    }
    return closed.sort((a, b) => a.windowStartMs - b.windowStartMs);
  }

  /** Open windows, for metrics. */
  get openWindows(): number {
    return this.windows.size;
  }

  private capTally(tally: WindowTally | undefined): CappedCount {
    if (tally === undefined) return capInfluence([], this.cap);
    const pairs: Array<readonly [string, number]> = [...tally.perGroup];
    // Overflow groups are unknown individually; each contribution stands for a distinct group.
    for (let i = 0; i < tally.overflow; i += 1) pairs.push([`overflow:${i}`, 1]);
    return capInfluence(pairs, this.cap);
  }
}

function tallyKey(resource: string, cluster: string, windowStartMs: number): string {
  return `${cluster}\u0000${resource}\u0000${windowStartMs}`;
}
