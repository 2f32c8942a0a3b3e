import { seededRandom } from '../sim/random.js';
import type { Trace } from '../sim/trace.js';
import { sizeSuffix } from '../stack/originBlobs.js';

/** One request of the replay, in real time from the start of a run. */
export interface PlannedRequest {
  /** Position in the plan: every outcome names it, so each request is counted once. */
  readonly id: number;
  readonly atMs: number;
  /** Trace time of the request (plots are drawn in trace time). */
  readonly traceMs: number;
  /** Index into ReplayPlan.objects. */
  readonly object: number;
  /** Index into ReplayPlan.clusters. */
  readonly cluster: number;
  /** Index into the cluster's client source addresses. */
  readonly client: number;
}

export interface PlannedObject {
  /** The DNS label before the run label, e.g. `video-12`: the resource type comes from its prefix. */
  readonly label: string;
  /**
   * Size in the trace: weights the "trace bytes" figures. The label carries its size class
   * (`-b<KiB>k`, stack/originBlobs.ts): the local origin serves about that many bytes.
   */
  readonly bytes: number;
}

export interface ReplayPlan {
  readonly requests: readonly PlannedRequest[];
  readonly objects: readonly PlannedObject[];
  /** Stack cluster ids the requests come from. */
  readonly clusters: readonly string[];
  /** Trace ms per real ms. */
  readonly speed: number;
  readonly durationMs: number;
  readonly traceStartMs: number;
  /** Share of the trace's requests in the replayed span that were kept (rate cap); 1 when all were. */
  readonly sampled: number;
  /** Trace requests in the replayed span before sampling. */
  readonly traceRequests: number;
}

export interface PlanOptions {
  /** Stack clusters; trace clusters named like one map to it, the others in turn. */
  readonly clusters: readonly string[];
  /** Client source addresses available per cluster. */
  readonly clientsPerCluster: number;
  /** Trace ms per real ms; undefined fits the whole trace into durationMs. */
  readonly speed: number | undefined;
  readonly durationMs: number;
  /** Requests per second beyond which the trace is sampled (seeded, uniformly). */
  readonly maxRate: number;
  readonly seed: number;
}

const VIDEO_PATH = /\.(mpe?g|mp4|mov|avi|m4v|webm|ts|m3u8|mkv)$/i;

/**
 * A DNS label for a trace object: generated workloads name theirs (size class included); paths get
 * a type, an index and the size class of their bytes (none when unknown: the origin's tiny body).
 */
function objectLabel(name: string, index: number, bytes: number): string {
  if (/^(video|web)-[a-z0-9-]+$/.test(name)) return name;
  return `${VIDEO_PATH.test(name) ? 'video' : 'web'}-${index}${sizeSuffix(bytes)}`;
}

/**
 * Turns a trace into a replay schedule: trace time compressed by `speed` (by default the whole trace
 * fits the duration), cut at the duration, sampled down to `maxRate`, trace clusters mapped onto the
 * stack's clusters, and each trace cluster (client group) onto one of its cluster's client addresses.
 */
export function planReplay(trace: Trace, options: PlanOptions): ReplayPlan {
  const n = trace.tsMs.length;
  if (n === 0) throw new Error('replay: the trace has no requests');
  if (options.clusters.length === 0) throw new Error('replay: the stack has no cluster');
  const start = trace.tsMs[0] ?? 0;
  const span = Math.max(1, (trace.tsMs[n - 1] ?? start) - start);
  const speed = options.speed ?? span / options.durationMs;
  if (!(speed > 0)) throw new Error(`replay: speed must be positive, got ${speed}`);
  const clusterOf = trace.clusterNames.map((name, i) => {
    const same = options.clusters.indexOf(name);
    return same >= 0 ? same : i % options.clusters.length;
  });
  const clientOf = trace.clusterNames.map(
    (_, i) => Math.floor(i / options.clusters.length) % Math.max(1, options.clientsPerCluster),
  );
  // A trace with one client group per stack cluster (a generated one) spreads each request over
  // the cluster's clients, as many clients behind one cluster do.
  const spread = trace.clusterNames.length <= options.clusters.length;
  let inSpan = 0;
  for (let i = 0; i < n; i++) if (((trace.tsMs[i] ?? 0) - start) / speed <= options.durationMs) inSpan++;
  const realSeconds = Math.min(options.durationMs, span / speed) / 1000;
  const sampled = Math.min(1, (options.maxRate * Math.max(realSeconds, 0.001)) / Math.max(1, inSpan));
  const random = seededRandom(options.seed);
  const used = new Map<number, number>();
  const objects: PlannedObject[] = [];
  const requests: PlannedRequest[] = [];
  for (let i = 0; i < n; i++) {
    const traceMs = trace.tsMs[i] ?? start;
    const atMs = (traceMs - start) / speed;
    if (atMs > options.durationMs) break;
    if (sampled < 1 && random() >= sampled) continue;
    const traceObject = trace.object[i] ?? 0;
    let object = used.get(traceObject);
    if (object === undefined) {
      object = objects.length;
      used.set(traceObject, object);
      const bytes = trace.objectSize[traceObject] ?? 1;
      const name = trace.objectNames[traceObject] ?? '';
      objects.push({ label: objectLabel(name, object, trace.hasBytes ? bytes : 0), bytes });
    }
    const traceCluster = trace.cluster[i] ?? 0;
    requests.push({
      id: requests.length,
      atMs,
      traceMs,
      object,
      cluster: clusterOf[traceCluster] ?? 0,
      client: spread
        ? Math.floor(random() * Math.max(1, options.clientsPerCluster))
        : (clientOf[traceCluster] ?? 0),
    });
  }
  return {
    requests,
    objects,
    clusters: options.clusters,
    speed,
    durationMs: Math.min(options.durationMs, span / speed),
    traceStartMs: start,
    sampled,
    traceRequests: inSpan,
  };
}
