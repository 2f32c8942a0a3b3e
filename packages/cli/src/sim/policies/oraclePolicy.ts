import { applyPlacement, planUnits } from './planUnits.js';
import type { ClusterSetup, SimPolicy } from './policy.js';
import { SimCache } from './simCache.js';
import { topByCount } from './staticTopKPolicy.js';

/**
 * Reference: knows the future one window ahead. At each window start it places the objects most
 * requested in that window among those this cluster has already seen (no forecast can predict an
 * object nobody asked for yet). Purely proactive: no admission on a miss.
 */
export function oraclePolicy(setup: ClusterSetup): SimPolicy {
  const cache = new SimCache({ ...setup, admitOnMiss: false });
  const { trace, windowMs } = setup;
  const units = planUnits(setup);
  const seen = new Set<number>();
  const sizeOf = (object: number): number => trace.objectSize[object] ?? 1;
  return {
    onWindow: (tick) => {
      cache.tick();
      const end = tick.startMs + windowMs;
      const counts = new Map<number, number>();
      for (let i = tick.fromIndex; i < trace.tsMs.length && (trace.tsMs[i] ?? end) < end; i++) {
        const object = trace.object[i] ?? 0;
        if (trace.cluster[i] !== setup.cluster || !seen.has(object)) continue;
        counts.set(object, (counts.get(object) ?? 0) + 1);
      }
      applyPlacement(cache.pinned(), topByCount(counts, units), cache, sizeOf);
    },
    onScoringStart: () => undefined,
    access: (index) => {
      const object = trace.object[index] ?? 0;
      seen.add(object);
      return cache.access(object, sizeOf(object));
    },
  };
}
