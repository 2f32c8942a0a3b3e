import {
  DemandMemory,
  planByBenefit,
  predictedHits,
  type BenefitCandidate,
  type BenefitCosts,
} from '@pdme/decision';
import { AdmissionCache } from './admissionCache.js';
import { applyPlacement, planUnits } from './planUnits.js';
import type { ClusterSetup, SimPolicy } from './policy.js';

/**
 * Half-life of the long-run demand prior, in windows: at 10-minute windows four hours, so a day's
 * popularity shifts are followed within hours while a one-window burst barely moves the ranking.
 */
export const PRIOR_HALF_LIFE_WINDOWS = 24;

/** With admission, this share of the room (rounded down) is W-TinyLFU's; mirrors take the rest. */
export const REACTIVE_SHARE_WITH_ADMISSION = 0.1;

/**
 * PDME's recommended placement for DNS mirrors: at each window a resource is worth the hits its forecast predicts over
 * the horizon plus its long-run decayed demand (DemandMemory, learnt from the forecasts alone, as
 * the decision service can), planned by benefit per unit of size (planByBenefit: transfer paid only
 * by newcomers). With `admission`, REACTIVE_SHARE_WITH_ADMISSION of the room is a W-TinyLFU cache
 * that admits misses (see AdmissionCache: a per-request choice only a cache in front of all
 * traffic can make, not a DNS mirror).
 */
export function priorBenefitPolicy(setup: ClusterSetup, admission: boolean): SimPolicy {
  const { trace, windowMs } = setup;
  const objects = trace.objectNames.length;
  const cache = new AdmissionCache({ ...setup, objects, admit: admission });
  const units = planUnits(setup);
  let totalSize = 0;
  for (let object = 0; object < objects; object++) totalSize += units.sizeOf(object);
  const costs: BenefitCosts = { savedPerHit: 1, transferPerUnit: objects / Math.max(totalSize, 1) };
  const sizeOf = (object: number): number => trace.objectSize[object] ?? 1;
  const memory = new DemandMemory(PRIOR_HALF_LIFE_WINDOWS * windowMs, objects);
  // The reactive room is rounded down, so a cache of a few objects is all mirrors.
  const reactiveShare = admission ? REACTIVE_SHARE_WITH_ADMISSION : 0;
  const mirrorRoom = (room: number): number =>
    Number.isFinite(room) ? room - Math.floor(room * reactiveShare) : room;
  const capacity = {
    size: Number.isFinite(setup.capacityBytes)
      ? units.capacity.size * (1 - reactiveShare)
      : mirrorRoom(units.capacity.size),
    objects: mirrorRoom(units.capacity.objects),
  };
  return {
    onWindow: (tick) => {
      cache.tick();
      for (const forecast of tick.published) memory.record(forecast.resource, forecast);
      const candidates: BenefitCandidate[] = [];
      for (const [object, forecast] of tick.latest) {
        const hits = predictedHits(forecast) + memory.valueOf(String(object), tick.startMs);
        if (hits <= 0) continue;
        candidates.push({
          resource: String(object),
          predictedHits: hits,
          size: units.sizeOf(object),
          resident: cache.isPinned(object),
        });
      }
      const chosen = planByBenefit(candidates, capacity, costs);
      applyPlacement(cache.pinned(), new Set(chosen.map((c) => Number(c.resource))), cache, sizeOf);
    },
    onScoringStart: () => undefined,
    access: (index) => {
      const object = trace.object[index] ?? 0;
      return cache.access(object, sizeOf(object));
    },
  };
}
