import type { ForecastView } from '../decideMirroring.js';

/** What the memory needs from a forecast: its window, the count just observed and the next rate. */
export interface RememberedForecast extends ForecastView {
  readonly windowMs: number;
  /** Requests counted in the window that just closed (the forecast's `observed`). */
  readonly observed: number;
}

interface Entry {
  /** Decayed requests up to `atMs`. */
  value: number;
  atMs: number;
  /** Requests per millisecond assumed from `atMs` on (the latest forecast's next-window mean). */
  rate: number;
}

/**
 * A long-run, exponentially decayed count of each resource's requests, learnt from the forecasts
 * alone (what the decision service receives): each forecast adds the count observed in the window
 * that just closed, and between forecasts (published only when demand changes) the resource is
 * assumed to run at its latest forecast rate. Short forecasts chase noise; this prior keeps what is
 * popular for hours (static top-K's strength) while still letting go of what faded, unlike an
 * all-time count. Bounded: past `maxResources` the least recently updated resource is forgotten.
 */
export class DemandMemory {
  private readonly entries = new Map<string, Entry>();
  private readonly lambda: number;

  constructor(
    halfLifeMs: number,
    private readonly maxResources = 100_000,
  ) {
    if (!(halfLifeMs > 0)) throw new RangeError(`half-life must be positive, got ${halfLifeMs}`);
    this.lambda = Math.LN2 / halfLifeMs;
  }

  record(key: string, forecast: RememberedForecast): void {
    // The window just closed ends where the forecast starts; an announced event's forecast may
    // start later, and then the memory only runs from now.
    const windowEndMs = Math.min(forecast.steps[0]?.tsMs ?? forecast.issuedMs, forecast.issuedMs);
    const windowStartMs = windowEndMs - forecast.windowMs;
    const entry = this.entries.get(key);
    // Windows since the last forecast ran at its rate; the window just closed counts as observed.
    const before = entry === undefined ? 0 : this.valueAt(entry, windowStartMs);
    const value = before * this.decay(forecast.windowMs) + Math.max(0, forecast.observed);
    const rate = Math.max(0, forecast.steps[0]?.mean ?? 0) / forecast.windowMs;
    this.entries.delete(key);
    this.entries.set(key, { value, atMs: windowEndMs, rate });
    while (this.entries.size > this.maxResources) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Decayed requests of `key` up to `nowMs` (0 if never recorded or forgotten). */
  valueOf(key: string, nowMs: number): number {
    const entry = this.entries.get(key);
    return entry === undefined ? 0 : this.valueAt(entry, nowMs);
  }

  get size(): number {
    return this.entries.size;
  }

  private valueAt(entry: Entry, nowMs: number): number {
    const elapsed = Math.max(0, nowMs - entry.atMs);
    const kept = this.decay(elapsed);
    // The integral of a constant rate under exponential decay over the elapsed time.
    return entry.value * kept + (entry.rate * (1 - kept)) / this.lambda;
  }

  private decay(elapsedMs: number): number {
    return Math.exp(-this.lambda * elapsedMs);
  }
}
