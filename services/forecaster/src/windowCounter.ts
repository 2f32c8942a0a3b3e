import { capInfluence, type InfluenceCapOptions } from '@pdme/common/fairness';

export interface CountableEvent {
  readonly eventId: string;
  readonly tsMs: number;
  readonly resource: string;
  readonly cluster: string;
  /** The anonymized client group (keyed hash of the /24 or /48) and its key epoch, as ingest sets them. */
  readonly client?: { readonly clientHash: string; readonly keyEpoch: number } | undefined;
}

export interface ClosedWindow {
  readonly resource: string;
  readonly cluster: string;
  readonly windowStartMs: number;
  readonly windowMs: number;
  /**
   * What the models see: the count after each client group's influence is capped. The fields below
   * describe the cap; windows built elsewhere (simulator, tests) may leave them out.
   */
  readonly count: number;
  /** Events as received (de-duplicated), before the cap. */
  readonly rawCount?: number;
  /** Distinct client groups in the window. */
  readonly groups?: number;
  /** Groups whose contribution was cut to the cap. */
  readonly cappedGroups?: number;
  /** One group sent at least the dominance share of a large enough window: a flood, not a crowd. */
  readonly dominated?: boolean;
  readonly topGroupShare?: number;
  /**
   * The series has been idle for the forget horizon and is dropped after this window: its demand is
   * zero. The forecaster publishes a last, zero forecast so mirrors placed for it are released.
   */
  readonly seriesEnd?: boolean;
}

export type AddOutcome = 'counted' | 'duplicate' | 'late';

interface OpenWindow {
  /** Event id -> client group ('' when the event names none). */
  readonly ids: Map<string, string>;
}

interface SeriesState {
  readonly resource: string;
  readonly cluster: string;
  /** Open windows by start time. */
  readonly open: Map<number, OpenWindow>;
  /** Start of the next window to close; windows before it are final. */
  nextToClose: number;
  /** Consecutive empty windows closed, to forget idle series. */
  idleWindows: number;
}

/** A counter's whole state as plain data, to persist and restore (see windowStateStore.ts). */
export interface WindowCounterSnapshot {
  readonly series: readonly {
    readonly resource: string;
    readonly cluster: string;
    readonly nextToClose: number;
    readonly idleWindows: number;
    /** Open windows: start, the ids counted in it and (same order) their client groups. */
    readonly open: readonly (readonly [number, readonly string[], (readonly string[])?])[];
  }[];
}

export interface WindowCounterOptions {
  readonly windowMs: number;
  /** Events up to this much older than the watermark still count; older ones are late. */
  readonly allowedLatenessMs: number;
  /** A series with this many empty windows in a row is dropped (its demand is zero). */
  readonly forgetAfterWindows?: number;
  /** Caps each client group's contribution per window (forecast poisoning); absent: raw counts. */
  readonly influenceCap?: InfluenceCapOptions;
}

/** Events without a client group (older producers) count as one group each: never merged into a flood. */
function groupOf(event: CountableEvent): string {
  const client = event.client;
  return client === undefined || client.clientHash === '' ? '' : `${client.keyEpoch}:${client.clientHash}`;
}

/**
 * Tumbling event-time windows per (resource, cluster). An event counts once (by id) in its window;
 * a window closes when the watermark passes its end plus the allowed lateness, and empty windows
 * close with a zero so models see demand fading, not silence.
 */
export class WindowCounter {
  private readonly series = new Map<string, SeriesState>();
  private readonly forgetAfter: number;

  constructor(private readonly options: WindowCounterOptions) {
    this.forgetAfter = options.forgetAfterWindows ?? 60;
  }

  windowStart(tsMs: number): number {
    return Math.floor(tsMs / this.options.windowMs) * this.options.windowMs;
  }

  add(event: CountableEvent): AddOutcome {
    const key = `${event.cluster}\u0000${event.resource}`;
    const start = this.windowStart(event.tsMs);
    let state = this.series.get(key);
    if (state === undefined) {
      state = {
        resource: event.resource,
        cluster: event.cluster,
        open: new Map(),
        nextToClose: start,
        idleWindows: 0,
      };
      this.series.set(key, state);
    }
    if (start < state.nextToClose) return 'late';
    let window = state.open.get(start);
    if (window === undefined) {
      window = { ids: new Map() };
      state.open.set(start, window);
    }
    if (window.ids.has(event.eventId)) return 'duplicate';
    window.ids.set(event.eventId, groupOf(event));
    return 'counted';
  }

  /** Closes every window whose end plus lateness is at or before the watermark, oldest first. */
  closeUpTo(watermarkMs: number): ClosedWindow[] {
    const { windowMs, allowedLatenessMs } = this.options;
    const closed: ClosedWindow[] = [];
    for (const [key, state] of this.series) {
      while (state.nextToClose + windowMs + allowedLatenessMs <= watermarkMs) {
        const start = state.nextToClose;
        const tally = this.tally(state.open.get(start));
        const count = tally.count;
        state.open.delete(start);
        state.nextToClose = start + windowMs;
        state.idleWindows = count === 0 ? state.idleWindows + 1 : 0;
        const seriesEnd = state.idleWindows >= this.forgetAfter && state.open.size === 0;
        closed.push({
          resource: state.resource,
          cluster: state.cluster,
          windowStartMs: start,
          windowMs,
          ...tally,
          ...(seriesEnd ? { seriesEnd } : {}),
        });
        if (seriesEnd) {
          this.series.delete(key);
          break;
        }
      }
    }
    return closed.sort((a, b) => a.windowStartMs - b.windowStartMs);
  }

  /** A window's count: raw without a cap; with one, capped per client group and described. */
  private tally(
    window: OpenWindow | undefined,
  ): Omit<ClosedWindow, 'resource' | 'cluster' | 'windowStartMs' | 'windowMs'> {
    const rawCount = window?.ids.size ?? 0;
    const cap = this.options.influenceCap;
    if (cap === undefined) return { count: rawCount };
    const perGroup = new Map<string, number>();
    let anonymous = 0;
    for (const group of window?.ids.values() ?? []) {
      if (group === '') anonymous += 1;
      else perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    }
    const pairs: (readonly [string, number])[] = [...perGroup];
    for (let i = 0; i < anonymous; i++) pairs.push([`anonymous:${i}`, 1]);
    const capped = capInfluence(pairs, cap);
    return {
      count: capped.cappedCount,
      rawCount,
      groups: capped.groups,
      cappedGroups: capped.cappedGroups,
      dominated: capped.dominated,
      topGroupShare: capped.topGroupShare,
    };
  }

  snapshot(): WindowCounterSnapshot {
    return {
      series: [...this.series.values()].map((state) => ({
        resource: state.resource,
        cluster: state.cluster,
        nextToClose: state.nextToClose,
        idleWindows: state.idleWindows,
        open: [...state.open].map(
          ([start, window]) => [start, [...window.ids.keys()], [...window.ids.values()]] as const,
        ),
      })),
    };
  }

  /** Replaces this counter's state by a snapshot's. */
  restore(snapshot: WindowCounterSnapshot): void {
    this.series.clear();
    for (const s of snapshot.series) {
      this.series.set(`${s.cluster}\u0000${s.resource}`, {
        resource: s.resource,
        cluster: s.cluster,
        nextToClose: s.nextToClose,
        idleWindows: s.idleWindows,
        // Snapshots written before client groups were kept restore with no group (one each).
        open: new Map(
          s.open.map(([start, ids, groups]) => [
            start,
            { ids: new Map(ids.map((id, i) => [id, groups?.[i] ?? ''])) },
          ]),
        ),
      });
    }
  }

  get seriesCount(): number {
    return this.series.size;
  }
}
