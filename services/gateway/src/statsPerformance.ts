import type { CachedForecast } from '@pdme/common/mirror-state';
import type { ServiceLatency } from './statsAccuracy.js';

/**
 * What the gateway can say about performance from Redis alone (it does not scrape ops ports):
 * services summarize their latency histograms into `pdme:stats:latency` (p50/p99 over a sliding
 * span); those that do not yet write one are simply absent.
 */
export interface StatsPerformance {
  /** How long assembling this snapshot from Redis took (before any gateway-side caching). */
  readonly readMs: number;
  /** Age of the forecasts in this answer (generatedMs - issuedMs): a proxy for forecaster lag. */
  readonly forecastAgeMs: { readonly median: number; readonly max: number } | null;
  /** Each reporting service instance's latency summaries (e.g. forecaster window-update). */
  readonly latencies: readonly ServiceLatency[];
}

/** Median and maximum forecast age at `nowMs`; null when the answer has no forecasts. */
export function forecastAges(
  forecasts: readonly CachedForecast[],
  nowMs: number,
): StatsPerformance['forecastAgeMs'] {
  if (forecasts.length === 0) return null;
  const ages = forecasts.map((f) => Math.max(0, nowMs - f.issuedMs)).sort((a, b) => a - b);
  const mid = Math.floor(ages.length / 2);
  const median = ages.length % 2 === 1 ? (ages[mid] ?? 0) : ((ages[mid - 1] ?? 0) + (ages[mid] ?? 0)) / 2;
  return { median, max: ages[ages.length - 1] ?? 0 };
}
