/**
 * How the demo's generated workload is fitted to real traces. The fit is simple on purpose and done
 * once: its results are the constants below, so the demo needs nothing outside the repository, and
 * `workloadFit.test.ts` re-runs the fit on `../shared/data/` and checks that the constants still match.
 *
 * - Popularity skew: the Zipf exponent is the least-squares slope of log(requests) over log(rank) for
 *   the 200 most requested URLs of the NASA Kennedy Space Center trace (1995-08-01); the head is what
 *   caches and mirrors are about, the far tail bends down in a one-day trace.
 * - Daily cycle: the first harmonic of the hour-of-day profile (mean per UTC hour / overall mean) of the
 *   NAB AWS ELB request counts (14 days, 5 min): demand = 1 + amplitude * cos(2π (h - peakHour) / 24).
 *   The NASA day is only 13 hours long, too short for a daily cycle.
 * - New objects: the share of the NASA trace's distinct URLs first requested after its first hour, per
 *   hour that follows: an upper bound on arrivals, since a rarely requested old URL counts as new.
 * - Object sizes: a log-normal fitted (mean and standard deviation of ln bytes) to the sizes of the
 *   NASA trace's distinct objects with a known size: median about 10 KB, heavy tail (mean 63 KB).
 */
export interface WorkloadFit {
  readonly zipfExponent: number;
  readonly dailyAmplitude: number;
  /** UTC hour of the busiest time of day. */
  readonly dailyPeakHour: number;
  /** New objects per hour, as a fraction of the catalogue. */
  readonly newObjectsPerHour: number;
  /** Object size: ln(bytes) is normal with this mean and standard deviation. */
  readonly sizeLogMean: number;
  readonly sizeLogSigma: number;
}

export const FITTED_WORKLOAD: WorkloadFit = {
  zipfExponent: 1.13,
  dailyAmplitude: 0.32,
  dailyPeakHour: 18.1,
  newObjectsPerHour: 0.07,
  sizeLogMean: 9.2,
  sizeLogSigma: 2.12,
};

/** Ranks used for the Zipf fit. */
export const ZIPF_FIT_RANKS = 200;

/** Least-squares Zipf exponent of request counts (any order) over their `ranks` largest. */
export function fitZipfExponent(counts: readonly number[], ranks = ZIPF_FIT_RANKS): number {
  const sorted = counts.filter((c) => c > 0).sort((a, b) => b - a);
  const n = Math.min(ranks, sorted.length);
  if (n < 2) throw new Error(`zipf fit: need at least two objects with requests, got ${n}`);
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.log(i + 1);
    const y = Math.log(sorted[i] ?? 1);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  return -(n * sxy - sx * sy) / (n * sxx - sx * sx);
}

/** First harmonic of the hour-of-day profile of a series of (epoch ms, value) points. */
export function fitDailyCycle(points: readonly { readonly tsMs: number; readonly value: number }[]): {
  amplitude: number;
  peakHour: number;
} {
  const sums = new Array<number>(24).fill(0);
  const counts = new Array<number>(24).fill(0);
  for (const { tsMs, value } of points) {
    if (!Number.isFinite(value)) continue;
    const hour = new Date(tsMs).getUTCHours();
    sums[hour] = (sums[hour] ?? 0) + value;
    counts[hour] = (counts[hour] ?? 0) + 1;
  }
  if (counts.some((c) => c === 0))
    throw new Error('daily fit: the series does not cover every hour of the day');
  const profile = sums.map((s, h) => s / (counts[h] ?? 1));
  const mean = profile.reduce((a, b) => a + b, 0) / 24;
  let a = 0;
  let b = 0;
  profile.forEach((p, h) => {
    a += (p / mean) * Math.cos((2 * Math.PI * h) / 24);
    b += (p / mean) * Math.sin((2 * Math.PI * h) / 24);
  });
  a *= 2 / 24;
  b *= 2 / 24;
  return {
    amplitude: Math.hypot(a, b),
    peakHour: ((((Math.atan2(b, a) * 24) / (2 * Math.PI)) % 24) + 24) % 24,
  };
}

/** Share of distinct objects first requested after the first hour, per following hour. */
export function fitNewObjectsPerHour(firstSeenMs: readonly number[], startMs: number, endMs: number): number {
  const hours = (endMs - startMs) / 3_600_000 - 1;
  if (!(hours > 0) || firstSeenMs.length === 0)
    throw new Error('new-object fit: the trace is under two hours');
  const late = firstSeenMs.filter((t) => t > startMs + 3_600_000).length;
  return late / firstSeenMs.length / hours;
}

/** Log-normal fit of object sizes (bytes, one per distinct object; unknown sizes, 0, are left out). */
export function fitObjectSizes(sizes: readonly number[]): { logMean: number; logSigma: number } {
  const logs = sizes.filter((b) => b > 0).map((b) => Math.log(b));
  if (logs.length < 2) throw new Error(`size fit: need at least two known sizes, got ${logs.length}`);
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  const variance = logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length;
  return { logMean: mean, logSigma: Math.sqrt(variance) };
}

/** Relative demand at a time of day (UTC hours), mean 1. */
export function dailyFactor(fit: WorkloadFit, hourOfDay: number): number {
  return 1 + fit.dailyAmplitude * Math.cos((2 * Math.PI * (hourOfDay - fit.dailyPeakHour)) / 24);
}
