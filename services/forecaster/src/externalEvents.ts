import { globToRegExp } from '@pdme/common/config';

/** An announced external event (a release, a match, a campaign), as the forecaster uses it. */
export interface ActiveEvent {
  readonly eventId: string;
  readonly resources: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
  /** Empty means every cluster. */
  readonly clusters: ReadonlySet<string>;
  /** Expected demand multiplier over the baseline. */
  readonly intensity: number;
  readonly startMs: number;
  readonly endMs: number;
  /**
   * Each series' baseline (expected count per window) when the event first applied to it: the
   * raise multiplies this, not the live model, which already counts the crowd once it comes.
   */
  readonly baselines: Map<string, number>;
}

export interface AnnouncedEvent {
  readonly eventId: string;
  readonly resources: readonly string[];
  readonly patterns: readonly string[];
  readonly clusters: readonly string[];
  readonly intensity: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface SeriesKey {
  readonly resource: string;
  readonly cluster: string;
}

/**
 * Announced events still to come or under way, bounded: expired events are dropped, and when the
 * book is full the event ending first makes room, since it is the one with the least left to say.
 */
export class ExternalEventBook {
  private readonly events = new Map<string, ActiveEvent>();

  constructor(private readonly maxEvents = 10_000) {}

  /** Adds (or replaces, by id) an event; returns it, or undefined when it is over or meaningless. */
  add(announced: AnnouncedEvent, nowMs: number): ActiveEvent | undefined {
    this.dropExpired(nowMs);
    const { startMs, endMs, intensity } = announced;
    if (!(endMs > startMs) || endMs <= nowMs || !(intensity > 0)) return undefined;
    if (announced.resources.length === 0 && announced.patterns.length === 0) return undefined;
    const event: ActiveEvent = {
      eventId: announced.eventId,
      resources: new Set(announced.resources.map((r) => r.toLowerCase())),
      patterns: announced.patterns.map(globToRegExp),
      clusters: new Set(announced.clusters),
      intensity,
      startMs,
      endMs,
      baselines: new Map(),
    };
    this.events.delete(event.eventId);
    while (this.events.size >= this.maxEvents) this.dropEndingFirst();
    this.events.set(event.eventId, event);
    return event;
  }

  /** Events not yet over that apply to this series. */
  matching(resource: string, cluster: string, nowMs: number): ActiveEvent[] {
    const found: ActiveEvent[] = [];
    for (const event of this.events.values()) {
      if (event.endMs > nowMs && appliesTo(event, resource, cluster)) found.push(event);
    }
    return found;
  }

  dropExpired(nowMs: number): void {
    for (const [id, event] of this.events) if (event.endMs <= nowMs) this.events.delete(id);
  }

  get size(): number {
    return this.events.size;
  }

  private dropEndingFirst(): void {
    let first: ActiveEvent | undefined;
    for (const event of this.events.values())
      if (first === undefined || event.endMs < first.endMs) first = event;
    if (first !== undefined) this.events.delete(first.eventId);
  }
}

export function appliesTo(event: ActiveEvent, resource: string, cluster: string): boolean {
  if (event.clusters.size > 0 && !event.clusters.has(cluster)) return false;
  const name = resource.toLowerCase();
  return event.resources.has(name) || event.patterns.some((re) => re.test(name));
}

/**
 * The series an event's announcement forecasts at once: every known series it matches, plus each
 * explicitly listed resource in each of the event's clusters (all clusters when it names none),
 * even if no query for it was ever seen.
 */
export function announcementTargets(
  event: ActiveEvent,
  known: Iterable<SeriesKey>,
  allClusters: readonly string[],
): SeriesKey[] {
  const targets = new Map<string, SeriesKey>();
  for (const series of known) {
    if (appliesTo(event, series.resource, series.cluster)) {
      targets.set(`${series.cluster}\u0000${series.resource}`, series);
    }
  }
  const clusters = event.clusters.size > 0 ? [...event.clusters] : allClusters;
  for (const resource of event.resources) {
    for (const cluster of clusters) targets.set(`${cluster}\u0000${resource}`, { resource, cluster });
  }
  return [...targets.values()];
}
