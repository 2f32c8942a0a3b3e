import type { ClusterSetup, Outcome, SimPolicy } from './policy.js';
import { SimCache } from './simCache.js';

/** Reference: a reactive LRU cache that admits every miss. */
export function lruPolicy(setup: ClusterSetup): SimPolicy {
  const cache = new SimCache({ ...setup, admitOnMiss: true });
  const { trace } = setup;
  return {
    onWindow: () => cache.tick(),
    onScoringStart: () => undefined,
    access: (index): Outcome =>
      cache.access(trace.object[index] ?? 0, trace.objectSize[trace.object[index] ?? 0] ?? 1),
  };
}
