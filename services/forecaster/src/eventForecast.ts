import type { ActiveEvent, SeriesKey } from './externalEvents.js';
import type { SeriesForecast } from './seriesForecaster.js';

export interface EventForecastOptions {
  readonly windowMs: number;
  /** At most this many steps describe an event (a long event is described from its start). */
  readonly maxEventSteps: number;
  /** The series' model baseline, undefined for a series never seen. */
  readonly baseline: (series: SeriesKey) => number | undefined;
}

/** Baselines remembered per event; past this many series the floor alone applies to new ones. */
const MAX_BASELINES_PER_EVENT = 100_000;

/**
 * Demand per window an event announces for a series: its baseline times the intensity, and at
 * least the intensity itself taken as an absolute count per window. The floor is what lets a
 * resource with no history at all (a launch) get a forecast, and a quiet one a meaningful rise.
 */
export function raisedDemand(baseline: number | undefined, intensity: number): number {
  return Math.max((baseline ?? 0) * intensity, intensity);
}

function eventBaseline(event: ActiveEvent, series: SeriesKey, options: EventForecastOptions): number {
  const key = `${series.cluster}\u0000${series.resource}`;
  let baseline = event.baselines.get(key);
  if (baseline === undefined) {
    baseline = options.baseline(series) ?? 0;
    if (event.baselines.size < MAX_BASELINES_PER_EVENT) event.baselines.set(key, baseline);
  }
  return baseline;
}

/** The highest demand any event announces for the window starting at `tsMs`; 0 when none covers it. */
function raisedAt(
  tsMs: number,
  events: readonly ActiveEvent[],
  series: SeriesKey,
  options: EventForecastOptions,
): number {
  let raised = 0;
  for (const event of events) {
    if (tsMs + options.windowMs <= event.startMs || tsMs >= event.endMs) continue;
    raised = Math.max(raised, raisedDemand(eventBaseline(event, series, options), event.intensity));
  }
  return raised;
}

/** Window starts covering the events from `fromMs` on, ascending, at most `maxEventSteps`. */
function eventWindowStarts(
  events: readonly ActiveEvent[],
  fromMs: number,
  options: EventForecastOptions,
): number[] {
  const { windowMs, maxEventSteps } = options;
  const starts = new Set<number>();
  for (const event of events) {
    const first = Math.floor(Math.max(fromMs, event.startMs) / windowMs) * windowMs;
    for (let ts = first, n = 0; ts < event.endMs && n < maxEventSteps; ts += windowMs, n++) {
      if (ts >= fromMs) starts.add(ts);
    }
  }
  return [...starts].sort((a, b) => a - b).slice(0, maxEventSteps);
}

/** The forecast published the moment an event is announced, ahead of the regular cadence. */
export function announcementForecast(
  series: SeriesKey,
  events: readonly ActiveEvent[],
  nowMs: number,
  options: EventForecastOptions,
): SeriesForecast | undefined {
  const from = Math.floor(nowMs / options.windowMs) * options.windowMs;
  const steps = eventWindowStarts(events, from, options).map((tsMs) => {
    const raised = raisedAt(tsMs, events, series, options);
    return { tsMs, mean: raised, p50: raised, p90: raised };
  });
  if (steps.length === 0) return undefined;
  return {
    resource: series.resource,
    cluster: series.cluster,
    issuedMs: nowMs,
    windowMs: options.windowMs,
    model: 'external-event',
    observed: 0,
    flashCrowd: true,
    steps,
  };
}

/**
 * A regular forecast with the events' demand as a floor on the steps they cover, and the events'
 * steps past the regular horizon appended, so a crowd due later keeps its mirror meanwhile.
 */
export function raiseForEvents(
  forecast: SeriesForecast,
  events: readonly ActiveEvent[],
  options: EventForecastOptions,
): SeriesForecast {
  if (events.length === 0) return forecast;
  let raisedAny = false;
  const steps = forecast.steps.map((step) => {
    const raised = raisedAt(step.tsMs, events, forecast, options);
    if (raised <= step.mean) return step;
    raisedAny = true;
    return {
      tsMs: step.tsMs,
      mean: raised,
      p50: Math.max(step.p50, raised),
      p90: Math.max(step.p90, raised),
    };
  });
  const last = steps.at(-1)?.tsMs ?? forecast.issuedMs;
  for (const tsMs of eventWindowStarts(events, last + options.windowMs, options)) {
    const raised = raisedAt(tsMs, events, forecast, options);
    raisedAny = true;
    steps.push({ tsMs, mean: raised, p50: raised, p90: raised });
  }
  return raisedAny ? { ...forecast, flashCrowd: true, steps } : forecast;
}
