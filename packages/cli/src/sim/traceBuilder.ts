import type { Trace, TraceReport } from './trace.js';

export interface TraceRow {
  readonly tsMs: number;
  readonly resource: string;
  /** Undefined when the row has no byte count. */
  readonly bytes: number | undefined;
  readonly cluster: string;
}

/** Accumulates rows, interns names, then sorts by time and fills in object sizes. */
export class TraceBuilder {
  private readonly ts: number[] = [];
  private readonly objects: number[] = [];
  private readonly clusters: number[] = [];
  private readonly bytes: number[] = [];
  private readonly objectIds = new Map<string, number>();
  private readonly clusterIds = new Map<string, number>();
  private readonly maxBytes: number[] = [];
  private lastTs = -Infinity;
  private unsorted = 0;

  add(row: TraceRow): void {
    if (row.tsMs < this.lastTs) this.unsorted++;
    else this.lastTs = row.tsMs;
    const object = intern(this.objectIds, row.resource);
    if (object === this.maxBytes.length) this.maxBytes.push(Number.NaN);
    const cluster = intern(this.clusterIds, row.cluster);
    this.ts.push(row.tsMs);
    this.objects.push(object);
    this.clusters.push(cluster);
    const bytes = row.bytes ?? Number.NaN;
    this.bytes.push(bytes);
    const known = this.maxBytes[object] ?? Number.NaN;
    if (!Number.isNaN(bytes) && !(bytes <= known)) this.maxBytes[object] = bytes;
  }

  build(report: Omit<TraceReport, 'unsorted' | 'kept'>): Trace {
    const n = this.ts.length;
    const order = Array.from({ length: n }, (_, i) => i);
    // A stable sort keeps rows with equal times in file order.
    if (this.unsorted > 0) order.sort((a, b) => (this.ts[a] ?? 0) - (this.ts[b] ?? 0) || a - b);
    const known = this.maxBytes.filter((b) => !Number.isNaN(b)).sort((a, b) => a - b);
    const hasBytes = known.length > 0;
    const fallback = hasBytes ? (known[Math.floor(known.length / 2)] ?? 1) : 1;
    const objectSize = Float64Array.from(this.maxBytes, (b) => (Number.isNaN(b) || b <= 0 ? fallback : b));
    const trace: Trace = {
      tsMs: new Float64Array(n),
      object: new Int32Array(n),
      cluster: new Int32Array(n),
      bytes: new Float64Array(n),
      objectNames: [...this.objectIds.keys()],
      objectSize,
      clusterNames: [...this.clusterIds.keys()],
      hasBytes,
      report: { ...report, unsorted: this.unsorted, kept: n },
    };
    order.forEach((from, to) => {
      const object = this.objects[from] ?? 0;
      const bytes = this.bytes[from] ?? Number.NaN;
      trace.tsMs[to] = this.ts[from] ?? 0;
      trace.object[to] = object;
      trace.cluster[to] = this.clusters[from] ?? 0;
      trace.bytes[to] = Number.isNaN(bytes) ? (objectSize[object] ?? 1) : bytes;
    });
    return trace;
  }
}

function intern(ids: Map<string, number>, name: string): number {
  let id = ids.get(name);
  if (id === undefined) {
    id = ids.size;
    ids.set(name, id);
  }
  return id;
}
