export interface CountableEvent {
  readonly eventId: string;
  readonly tsMs: number;
  readonly resource: string;
  readonly cluster: string;
}

export interface ClosedWindow {
  readonly resource: string;
  readonly cluster: string;
  readonly windowStartMs: number;
  readonly windowMs: number;
  readonly count: number;
}

export type AddOutcome = 'counted' | 'duplicate' | 'late';

interface OpenWindow {
  readonly ids: Set<string>;
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
    /** Open windows: start and the ids counted in it. */
    readonly open: readonly (readonly [number, readonly string[]])[];
  }[];
}

export interface WindowCounterOptions {
  readonly windowMs: number;
  /** Events up to this much older than the watermark still count; older ones are late. */
  readonly allowedLatenessMs: number;
  /** A series with this many empty windows in a row is dropped (its demand is zero). */
  readonly forgetAfterWindows?: number;
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
      window = { ids: new Set() };
      state.open.set(start, window);
    }
    if (window.ids.has(event.eventId)) return 'duplicate';
    window.ids.add(event.eventId);
    return 'counted';
  }

  /** Closes every window whose end plus lateness is at or before the watermark, oldest first. */
  closeUpTo(watermarkMs: number): ClosedWindow[] {
    const { windowMs, allowedLatenessMs } = this.options;
    const closed: ClosedWindow[] = [];
    for (const [key, state] of this.series) {
      while (state.nextToClose + windowMs + allowedLatenessMs <= watermarkMs) {
        const start = state.nextToClose;
        const count = state.open.get(start)?.ids.size ?? 0;
        state.open.delete(start);
        state.nextToClose = start + windowMs;
        state.idleWindows = count === 0 ? state.idleWindows + 1 : 0;
        closed.push({
          resource: state.resource,
          cluster: state.cluster,
          windowStartMs: start,
          windowMs,
          count,
        });
        if (state.idleWindows >= this.forgetAfter && state.open.size === 0) {
          this.series.delete(key);
          break;
        }
      }
    }
    return closed.sort((a, b) => a.windowStartMs - b.windowStartMs);
  }

  snapshot(): WindowCounterSnapshot {
    return {
      series: [...this.series.values()].map((state) => ({
        resource: state.resource,
        cluster: state.cluster,
        nextToClose: state.nextToClose,
        idleWindows: state.idleWindows,
        open: [...state.open].map(([start, window]) => [start, [...window.ids]] as const),
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
        open: new Map(s.open.map(([start, ids]) => [start, { ids: new Set(ids) }])),
      });
    }
  }

  get seriesCount(): number {
    return this.series.size;
  }
}
