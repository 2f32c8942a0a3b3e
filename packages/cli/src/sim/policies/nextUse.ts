import type { Trace } from '../trace.js';

const cache = new WeakMap<Trace, Float64Array>();

/** For each request, the index of the next request for the same object in the same cluster (Infinity if none). */
export function nextUse(trace: Trace): Float64Array {
  const known = cache.get(trace);
  if (known !== undefined) return known;
  const n = trace.tsMs.length;
  const next = new Float64Array(n);
  const objects = trace.objectNames.length;
  const upcoming = new Map<number, number>();
  for (let i = n - 1; i >= 0; i--) {
    const key = (trace.cluster[i] ?? 0) * objects + (trace.object[i] ?? 0);
    next[i] = upcoming.get(key) ?? Infinity;
    upcoming.set(key, i);
  }
  cache.set(trace, next);
  return next;
}
