import { applyPlacement, planUnits } from './planUnits.js';
import type { ClusterSetup, SimPolicy } from './policy.js';
import { SimCache } from './simCache.js';

/**
 * Reference: the objects most requested during warm-up (per unit of size when capacity is in
 * bytes), placed once when scoring starts and never changed. Without warm-up it places nothing.
 */
export function staticTopKPolicy(setup: ClusterSetup): SimPolicy {
  const cache = new SimCache({ ...setup, admitOnMiss: false });
  const { trace } = setup;
  const units = planUnits(setup);
  const sizeOf = (object: number): number => trace.objectSize[object] ?? 1;
  return {
    onWindow: () => cache.tick(),
    onScoringStart: (index) => {
      const counts = new Map<number, number>();
      for (let i = 0; i < index; i++) {
        if (trace.cluster[i] !== setup.cluster) continue;
        const object = trace.object[i] ?? 0;
        counts.set(object, (counts.get(object) ?? 0) + 1);
      }
      applyPlacement([], topByCount(counts, units), cache, sizeOf);
    },
    access: (index) => {
      const object = trace.object[index] ?? 0;
      return cache.access(object, sizeOf(object));
    },
  };
}

/** The most requested objects per unit of size that fit, ties by object id (first seen first). */
export function topByCount(
  counts: ReadonlyMap<number, number>,
  units: ReturnType<typeof planUnits>,
): Set<number> {
  const ranked = [...counts].sort(([a, ca], [b, cb]) => cb / units.sizeOf(b) - ca / units.sizeOf(a) || a - b);
  const chosen = new Set<number>();
  let used = 0;
  for (const [object] of ranked) {
    if (chosen.size >= units.capacity.objects) break;
    const size = units.sizeOf(object);
    if (used + size > units.capacity.size) continue;
    chosen.add(object);
    used += size;
  }
  return chosen;
}
