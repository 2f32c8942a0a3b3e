/** A resource the capacity-aware policy may place on a cache. */
export interface BenefitCandidate {
  readonly resource: string;
  /** Requests the forecast expects over the planning horizon. */
  readonly predictedHits: number;
  /** Space the resource takes: bytes, or 1 when capacity is counted in objects. */
  readonly size: number;
  /** Already on the cache: keeping it moves nothing. */
  readonly resident: boolean;
}

export interface BenefitCosts {
  /** What one request served by the cache instead of the origin saves (latency, any unit). */
  readonly savedPerHit: number;
  /** What moving one unit of size onto the cache costs, in the same unit as savedPerHit. */
  readonly transferPerUnit: number;
}

export interface PlanCapacity {
  /** Room in size units (bytes, or objects). */
  readonly size: number;
  /** Room in objects; Infinity when only size counts. */
  readonly objects: number;
}

/** Predicted hits saved times latency saved, less the transfer a new placement costs. */
export function expectedBenefit(candidate: BenefitCandidate, costs: BenefitCosts): number {
  const transfer = candidate.resident ? 0 : costs.transferPerUnit * candidate.size;
  return candidate.predictedHits * costs.savedPerHit - transfer;
}

/**
 * The capacity-aware policy: rank candidates by expected benefit per unit of size and fill the
 * capacity in that order, skipping what does not fit (the greedy answer to the knapsack). Only a
 * positive benefit earns a place, so a resource whose transfer outweighs its hits stays at the
 * origin, and a resident resource is only displaced by one that pays for its own move.
 */
export function planByBenefit(
  candidates: readonly BenefitCandidate[],
  capacity: PlanCapacity,
  costs: BenefitCosts,
): BenefitCandidate[] {
  const ranked = candidates
    .map((candidate) => ({ candidate, perUnit: expectedBenefit(candidate, costs) / candidate.size }))
    .filter((entry) => entry.perUnit > 0 && entry.candidate.size > 0)
    .sort(
      (a, b) =>
        b.perUnit - a.perUnit ||
        Number(b.candidate.resident) - Number(a.candidate.resident) ||
        compareNames(a.candidate.resource, b.candidate.resource),
    );
  const chosen: BenefitCandidate[] = [];
  let size = 0;
  for (const { candidate } of ranked) {
    if (chosen.length >= capacity.objects) break;
    if (size + candidate.size > capacity.size) continue;
    chosen.push(candidate);
    size += candidate.size;
  }
  return chosen;
}

/** Plain code-unit order: a deterministic tie-break, much cheaper than localeCompare. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
