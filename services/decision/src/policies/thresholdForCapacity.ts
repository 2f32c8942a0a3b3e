export interface RatedResource {
  /** Demand per window (what decideMirroring compares with the threshold). */
  readonly rate: number;
  /** Space it takes: bytes, or 1 when capacity is counted in objects. */
  readonly size: number;
}

/**
 * Sizes the seed's threshold from observed demand when no operator set one: the rate of the first
 * resource, in decreasing rate order, that no longer fits the capacity. Resources strictly above it
 * would just fill the cache, so the threshold admits about as many mirrors as there is room for.
 * With room for everything it is 0 (any demand qualifies).
 */
export function thresholdForCapacity(resources: readonly RatedResource[], capacitySize: number): number {
  const ranked = [...resources].sort((a, b) => b.rate - a.rate);
  let used = 0;
  for (const resource of ranked) {
    if (used + resource.size > capacitySize) return resource.rate;
    used += resource.size;
  }
  return 0;
}
