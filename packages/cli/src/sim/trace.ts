/** A request trace held in columns, requests in time order, names interned to small integers. */
export interface Trace {
  readonly tsMs: Float64Array;
  readonly object: Int32Array;
  readonly cluster: Int32Array;
  /** Bytes of each request (the object's size when the row gave none). */
  readonly bytes: Float64Array;
  readonly objectNames: readonly string[];
  /** Size of each object: the largest byte count seen for it (the median known size otherwise). */
  readonly objectSize: Float64Array;
  readonly clusterNames: readonly string[];
  /** False when no row carried a byte count: every object then has size 1. */
  readonly hasBytes: boolean;
  readonly report: TraceReport;
}

export interface TraceReport {
  readonly rows: number;
  readonly kept: number;
  readonly malformed: number;
  /** Rows earlier than a row before them; kept, and the trace is sorted by time. */
  readonly unsorted: number;
  /** A few malformed rows with their line number and why, for the operator. */
  readonly examples: readonly string[];
  /** Which column gave the cluster: `cluster`, `client_group`, or none (one cluster). */
  readonly clusterColumn: string | undefined;
}
