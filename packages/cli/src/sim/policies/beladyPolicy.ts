import { MaxHeap } from './maxHeap.js';
import { nextUse } from './nextUse.js';
import type { ClusterSetup, Outcome, SimPolicy } from './policy.js';

/**
 * Reference: Belady's MIN for a reactive cache. On a miss the object is admitted unless it, of all
 * candidates, is the one requested furthest in the future; otherwise the resident object requested
 * furthest in the future is evicted. With capacity in objects (unit sizes) this is the optimum; with
 * a byte capacity it is the usual furthest-first heuristic (evict until the object fits, or bypass
 * it when what must go is needed sooner).
 */
export function beladyPolicy(setup: ClusterSetup): SimPolicy {
  const { trace, capacityObjects, capacityBytes, stats, scoring } = setup;
  const next = nextUse(trace);
  /** Resident objects and the index of their next request (heap entries are stale if it moved). */
  const resident = new Map<number, number>();
  const heap = new MaxHeap();
  let usedBytes = 0;
  const sizeOf = (object: number): number =>
    Number.isFinite(capacityBytes) ? (trace.objectSize[object] ?? 1) : 0;

  const furthest = (): { priority: number; value: number } | undefined => {
    for (let top = heap.peek(); top !== undefined; top = heap.peek()) {
      if (resident.get(top.value) === top.priority) return top;
      heap.pop();
    }
    return undefined;
  };

  const admit = (object: number, upcoming: number): void => {
    const bytes = sizeOf(object);
    const evicted: { priority: number; value: number }[] = [];
    let freed = 0;
    while (resident.size + 1 > capacityObjects || usedBytes - freed + bytes > capacityBytes) {
      const top = furthest();
      if (top === undefined || top.priority <= upcoming) {
        for (const entry of evicted) resident.set(entry.value, entry.priority);
        for (const entry of evicted) heap.push(entry.priority, entry.value);
        return;
      }
      heap.pop();
      resident.delete(top.value);
      evicted.push(top);
      freed += sizeOf(top.value);
    }
    usedBytes += bytes - freed;
    resident.set(object, upcoming);
    heap.push(upcoming, object);
    if (scoring.on) stats.bytesMoved += trace.objectSize[object] ?? 1;
  };

  return {
    onWindow: () => undefined,
    onScoringStart: () => undefined,
    access: (index): Outcome => {
      const object = trace.object[index] ?? 0;
      const upcoming = next[index] ?? Infinity;
      if (resident.has(object)) {
        resident.set(object, upcoming);
        heap.push(upcoming, object);
        return 'reactive';
      }
      if (upcoming !== Infinity && sizeOf(object) <= capacityBytes) admit(object, upcoming);
      return 'miss';
    },
  };
}
