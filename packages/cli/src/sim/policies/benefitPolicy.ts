import { planByBenefit, type BenefitCandidate, type BenefitCosts } from '@pdme/decision';
import { applyPlacement, planUnits } from './planUnits.js';
import type { ClusterSetup, SimPolicy } from './policy.js';
import { SimCache } from './simCache.js';

/**
 * PDME's capacity-aware policy: at each window, every resource with a forecast is worth its
 * predicted hits over the forecast horizon, less the transfer if it is not cached yet; the cache is
 * filled by benefit per unit of size (planByBenefit). Units: a hit saves 1, and moving an object of
 * the trace's mean size costs 1 (one origin fetch, what a miss costs). With `reactive`, the room
 * mirrors leave is an LRU filled on misses.
 */
export function benefitPolicy(setup: ClusterSetup, reactive: boolean): SimPolicy {
  const cache = new SimCache({ ...setup, admitOnMiss: reactive });
  const { trace } = setup;
  const units = planUnits(setup);
  const objects = trace.objectNames.length;
  let totalSize = 0;
  for (let object = 0; object < objects; object++) totalSize += units.sizeOf(object);
  const costs: BenefitCosts = { savedPerHit: 1, transferPerUnit: objects / Math.max(totalSize, 1) };
  const sizeOf = (object: number): number => trace.objectSize[object] ?? 1;
  return {
    onWindow: (tick) => {
      cache.tick();
      const candidates: BenefitCandidate[] = [];
      for (const [object, forecast] of tick.latest) {
        const predictedHits = forecast.steps.reduce((sum, step) => sum + step.mean, 0);
        if (predictedHits <= 0) continue;
        candidates.push({
          resource: String(object),
          predictedHits,
          size: units.sizeOf(object),
          resident: cache.has(object),
        });
      }
      const chosen = planByBenefit(candidates, units.capacity, costs);
      applyPlacement(cache.pinned(), new Set(chosen.map((c) => Number(c.resource))), cache, sizeOf);
    },
    onScoringStart: () => undefined,
    access: (index) => {
      const object = trace.object[index] ?? 0;
      return cache.access(object, sizeOf(object));
    },
  };
}
