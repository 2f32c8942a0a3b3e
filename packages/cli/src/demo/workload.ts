import { seededRandom } from '../sim/random.js';
import type { Trace } from '../sim/trace.js';
import { TraceBuilder, type TraceRow } from '../sim/traceBuilder.js';
import { sizeSuffix } from '../stack/originBlobs.js';
import { FITTED_WORKLOAD, dailyFactor, type WorkloadFit } from './workloadFit.js';

/** A flash crowd mixed into the workload: one new object that suddenly takes a large share. */
export interface CrowdSpec {
  /** Announced ahead through POST /pdme/events, or not. */
  readonly announced: boolean;
  /** Where in the span it starts and how long it lasts, as fractions of the span. */
  readonly startFraction: number;
  readonly lengthFraction: number;
  /** Its peak rate as a multiple of the workload's mean rate. */
  readonly peakShare: number;
}

export interface DemoWorkloadOptions {
  readonly seed: number;
  /** Requests of the base workload over the whole span (crowds come on top). */
  readonly requests: number;
  /** Trace time the workload covers (one day by default: the daily cycle). */
  readonly spanMs: number;
  readonly initialObjects: number;
  /** Share of objects that are videos (the `video` resource type), the rest web objects. */
  readonly videoShare: number;
  readonly clusters: readonly string[];
  readonly crowds: readonly CrowdSpec[];
  readonly fit: WorkloadFit;
}

export const DEMO_WORKLOAD_DEFAULTS: Omit<DemoWorkloadOptions, 'clusters' | 'requests'> = {
  seed: 1,
  spanMs: 86_400_000,
  initialObjects: 300,
  videoShare: 0.4,
  crowds: [
    { announced: true, startFraction: 0.3, lengthFraction: 0.2, peakShare: 0.7 },
    { announced: false, startFraction: 0.6, lengthFraction: 0.25, peakShare: 0.7 },
  ],
  fit: FITTED_WORKLOAD,
};

/** A crowd as placed in the generated trace. */
export interface WorkloadCrowd {
  readonly object: string;
  readonly announced: boolean;
  readonly startMs: number;
  readonly endMs: number;
}

export interface DemoWorkload {
  readonly trace: Trace;
  readonly crowds: readonly WorkloadCrowd[];
}

/** Trace time of the generated day's midnight (UTC): any fixed day does. */
const DAY_START_MS = Date.UTC(2026, 0, 5);

/**
 * A synthetic day of CDN requests with the shape of real traffic (see workloadFit.ts): Zipf
 * popularity over a catalogue that grows (new objects enter at a uniformly drawn rank), a daily
 * cycle, log-normal object sizes (encoded in each name, see stack/originBlobs.ts), and flash crowds, each a new video whose rate jumps to `peakShare` of the mean within a
 * tenth of its length and fades linearly. Same seed, same workload.
 */
export function generateDemoWorkload(options: DemoWorkloadOptions): DemoWorkload {
  const random = seededRandom(options.seed);
  const { fit, spanMs } = options;
  if (options.clusters.length === 0) throw new Error('workload: at least one cluster is needed');
  const names: string[] = [];
  const sizes: number[] = [];
  const newObject = (): number => {
    const video = random() < options.videoShare;
    const id = names.length;
    // One size fit for every type (the real trace has almost no video); the name carries the size
    // class so that the local origin serves that many bytes.
    const bytes = Math.round(Math.exp(fit.sizeLogMean + fit.sizeLogSigma * gaussian(random)));
    names.push(`${video ? 'video' : 'web'}-${id}${sizeSuffix(bytes)}`);
    sizes.push(bytes);
    return id;
  };
  const ranks: number[] = Array.from({ length: options.initialObjects }, newObject);
  const hours = spanMs / 3_600_000;
  const arrivals = Math.round(fit.newObjectsPerHour * options.initialObjects * hours);
  const cdf = zipfCdf(options.initialObjects + arrivals + 1, fit.zipfExponent);
  const drawRank = (limit: number): number => {
    const u = random() * (cdf[limit - 1] ?? 1);
    let lo = 0;
    let hi = limit - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 0) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const cluster = (): string => options.clusters[Math.floor(random() * options.clusters.length)] ?? '';
  const rows: TraceRow[] = [];
  const meanRate = options.requests / spanMs; // per ms
  const peak = meanRate * (1 + fit.dailyAmplitude);
  const arrivalEvery = arrivals > 0 ? spanMs / arrivals : Infinity;
  let nextArrival = arrivalEvery;
  for (let t = 0; ;) {
    t += -Math.log(1 - random()) / peak;
    if (t >= spanMs) break;
    while (t >= nextArrival) {
      ranks.splice(Math.floor(random() * (ranks.length + 1)), 0, newObject());
      nextArrival += arrivalEvery;
    }
    // Thinning: a Poisson process whose rate follows the fitted daily cycle.
    const hourOfDay = ((DAY_START_MS + t) / 3_600_000) % 24;
    if (random() * peak > meanRate * dailyFactor(fit, hourOfDay)) continue;
    const object = ranks[drawRank(ranks.length)] ?? 0;
    rows.push({
      tsMs: DAY_START_MS + t,
      resource: names[object] ?? '',
      bytes: sizes[object],
      cluster: cluster(),
    });
  }
  const crowds = options.crowds.map((spec, i): WorkloadCrowd => {
    // A crowd's object is large for the workload: the fit's 90th percentile size.
    const bytes = Math.round(Math.exp(fit.sizeLogMean + 1.2816 * fit.sizeLogSigma));
    const object = `video-crowd-${spec.announced ? 'a' : 'u'}${i}${sizeSuffix(bytes)}`;
    const start = spec.startFraction * spanMs;
    const length = spec.lengthFraction * spanMs;
    const crowdPeak = meanRate * spec.peakShare;
    const rise = length / 10;
    for (let t = start; ;) {
      t += -Math.log(1 - random()) / crowdPeak;
      if (t >= start + length) break;
      const shape = t - start < rise ? (t - start) / rise : 1 - (t - start - rise) / (length - rise);
      if (random() > shape) continue;
      rows.push({ tsMs: DAY_START_MS + t, resource: object, bytes, cluster: cluster() });
    }
    return {
      object,
      announced: spec.announced,
      startMs: DAY_START_MS + start,
      endMs: DAY_START_MS + start + length,
    };
  });
  rows.sort((a, b) => a.tsMs - b.tsMs);
  const builder = new TraceBuilder();
  for (const row of rows) builder.add(row);
  return {
    trace: builder.build({ rows: rows.length, malformed: 0, examples: [], clusterColumn: 'cluster' }),
    crowds,
  };
}

function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s;
    cdf[i] = sum;
  }
  return cdf;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
