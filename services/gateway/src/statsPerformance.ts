import type { CachedForecast } from '@pdme/common/mirror-state';

/**
 * What the gateway can say about performance from Redis alone. Ingest rate and lag, decision latency
 * and DNS update latency are not here: no service writes them to Redis yet (they are only in each
 * service's Prometheus /metrics), and the gateway does not scrape ops ports.
 */
export interface StatsPerformance {
  /** How long assembling this snapshot from Redis took (before any gateway-side caching). */
  readonly readMs: number;
  /** Age of the forecasts in this answer (generatedMs - issuedMs): a proxy for forecaster lag. */
  readonly forecastAgeMs: { readonly median: number; readonly max: number } | null;
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
