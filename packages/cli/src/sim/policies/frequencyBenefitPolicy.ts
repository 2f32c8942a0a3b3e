import { planByBenefit, type BenefitCandidate, type BenefitCosts } from '@pdme/decision';
import { applyPlacement, planUnits } from './planUnits.js';
import type { ClusterSetup, SimPolicy } from './policy.js';
import { SimCache } from './simCache.js';

/**
 * The benefit policy with a memory (frequency-aware): a resource's worth is what its latest
 * forecast predicts over the horizon plus every request observed for it so far. Short forecasts
 * alone chase noise (and churn mirrors); long-run counts alone miss new crowds; their sum ranks
 * both, and a crowd that outgrows a resident's record displaces it. Planned each window by benefit
 * per unit of size (planByBenefit, transfer paid only by newcomers). With `reactive`, part of the
 * room is an LRU filled on misses, sized by the forecast's confidence (below).
 */
export function frequencyBenefitPolicy(setup: ClusterSetup, reactive: boolean): SimPolicy {
  const cache = new SimCache({ ...setup, admitOnMiss: reactive });
  const { trace } = setup;
  const units = planUnits(setup);
  const objects = trace.objectNames.length;
  let totalSize = 0;
  for (let object = 0; object < objects; object++) totalSize += units.sizeOf(object);
  const costs: BenefitCosts = { savedPerHit: 1, transferPerUnit: objects / Math.max(totalSize, 1) };
  const sizeOf = (object: number): number => trace.objectSize[object] ?? 1;
  const observed = new Float64Array(objects);
  const seen = new Set<number>();
  let windowRequests = 0;
  let windowPlannedHits = 0;
  let planned = new Set<number>();
  return {
    onWindow: (tick) => {
      cache.tick();
      const candidates: BenefitCandidate[] = [];
      for (const object of seen) {
        const forecast = tick.latest.get(object);
        const predicted = forecast?.steps.reduce((sum, step) => sum + Math.max(0, step.mean), 0) ?? 0;
        const predictedHits = predicted + (observed[object] ?? 0);
        if (predictedHits <= 0) continue;
        candidates.push({
          resource: String(object),
          predictedHits,
          size: units.sizeOf(object),
          resident: cache.isPinned(object),
        });
      }
      // The reactive room is sized by the forecast's confidence: the share of the last window's
      // requests that fell outside the full-capacity plan (demand the ranking did not foresee).
      const missShare = reactive && windowRequests > 0 ? 1 - windowPlannedHits / windowRequests : 0;
      windowRequests = 0;
      windowPlannedHits = 0;
      planned = new Set(planByBenefit(candidates, units.capacity, costs).map((c) => Number(c.resource)));
      const capacity = {
        size: units.capacity.size * (1 - missShare),
        objects: Math.floor(units.capacity.objects * (1 - missShare)),
      };
      const chosen = planByBenefit(candidates, capacity, costs);
      applyPlacement(cache.pinned(), new Set(chosen.map((c) => Number(c.resource))), cache, sizeOf);
    },
    onScoringStart: () => undefined,
    access: (index) => {
      const object = trace.object[index] ?? 0;
      observed[object] = (observed[object] ?? 0) + 1;
      seen.add(object);
      const outcome = cache.access(object, sizeOf(object));
      windowRequests++;
      if (planned.has(object)) windowPlannedHits++;
      return outcome;
    },
  };
}
