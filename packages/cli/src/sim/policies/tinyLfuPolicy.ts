import { AdmissionCache } from './admissionCache.js';
import type { ClusterSetup, Outcome, SimPolicy } from './policy.js';

/** Reference: a reactive W-TinyLFU cache (1 % LRU window, SLRU main, frequency admission). */
export function tinyLfuPolicy(setup: ClusterSetup): SimPolicy {
  const { trace } = setup;
  const cache = new AdmissionCache({ ...setup, objects: trace.objectNames.length, admit: true });
  return {
    onWindow: () => cache.tick(),
    onScoringStart: () => undefined,
    access: (index): Outcome => {
      const object = trace.object[index] ?? 0;
      return cache.access(object, trace.objectSize[object] ?? 1);
    },
  };
}
