import type { PlanCapacity } from '@pdme/decision';
import type { ClusterSetup } from './policy.js';

/**
 * Proactive policies plan in one unit: bytes when a byte capacity is set, else objects (size 1
 * each), so "benefit per byte" becomes benefit per slot when capacity is counted in objects.
 */
export interface PlanUnits {
  readonly sizeOf: (object: number) => number;
  readonly capacity: PlanCapacity;
}

export function planUnits(setup: ClusterSetup): PlanUnits {
  const { trace, capacityBytes, capacityObjects } = setup;
  if (Number.isFinite(capacityBytes)) {
    return {
      sizeOf: (object) => trace.objectSize[object] ?? 1,
      capacity: { size: capacityBytes, objects: capacityObjects },
    };
  }
  return { sizeOf: () => 1, capacity: { size: capacityObjects, objects: capacityObjects } };
}

/** Makes the cache's mirror set equal to `wanted`: removals first, to free room. */
export function applyPlacement(
  current: readonly number[],
  wanted: ReadonlySet<number>,
  cache: { unpin(object: number): void; pin(object: number, bytes: number): boolean },
  bytesOf: (object: number) => number,
): void {
  for (const object of current) if (!wanted.has(object)) cache.unpin(object);
  for (const object of wanted) cache.pin(object, bytesOf(object));
}
