import { TraceBuilder } from './traceBuilder.js';
import type { Trace } from './trace.js';

/** A one-cluster trace from object names, one request per second; sizes 1 unless given. */
export function tinyTrace(objects: readonly string[], sizes: Readonly<Record<string, number>> = {}): Trace {
  const builder = new TraceBuilder();
  objects.forEach((resource, i) =>
    builder.add({ tsMs: i * 1000, resource, bytes: sizes[resource], cluster: 'all' }),
  );
  return builder.build({ rows: objects.length, malformed: 0, examples: [], clusterColumn: undefined });
}
