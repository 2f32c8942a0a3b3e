import type { CacheServerConfig, PdmeConfig, ResourceTypeConfig } from '@pdme/common/config';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import { decideMirroring, peakDemand, thresholdForCapacity } from '@pdme/decision';
import type { SeriesForecast } from '@pdme/forecaster';
import { planUnits } from './planUnits.js';
import type { ClusterSetup, SimPolicy, WindowTick } from './policy.js';
import { SimCache } from './simCache.js';

/** The cluster's cache as one server; its "bytes" are the planning unit (bytes or objects). */
export function simServer(capacity: number): CacheServerConfig {
  return {
    id: 'sim',
    host: 'sim.invalid',
    address: '127.0.0.1',
    port: 80,
    capacityBytes: capacity,
    latencyMs: 1,
    region: 'sim',
    cost: 1,
  };
}

/**
 * The seed's greedy rule, through the decision service's own decideMirroring: each published
 * forecast (and each mirrored resource, so hysteresis counts windows) is judged in arrival order;
 * over the threshold and with room, it is mirrored; under half the threshold for two windows, and
 * at least one window old, it is unmirrored. A trace has no config, so the threshold is sized from
 * the data every window: the predicted demand of the first resource that no longer fits when the
 * current forecasts are sorted by demand (see thresholdForCapacity). With `reactive`, the room
 * mirrors leave is an LRU filled on misses.
 */
export function greedyPolicy(setup: ClusterSetup, reactive: boolean): SimPolicy {
  const cache = new SimCache({ ...setup, admitOnMiss: reactive });
  const { trace, windowMs } = setup;
  const units = planUnits(setup);
  const server = simServer(units.capacity.size);
  const settings: PdmeConfig['decision'] = {
    policy: 'greedy',
    weights: { latency: 1, capacity: 1, diversity: 1, cost: 1 },
    hysteresisWindows: 2,
    minLifetimeMs: windowMs,
    warmTimeMs: 0,
  };
  const records = new Map<number, MirrorRecord>();
  const usedUnits = (): number =>
    Number.isFinite(setup.capacityBytes) ? cache.pinnedBytes : cache.pinnedObjects;

  const judge = (object: number, forecast: SeriesForecast, threshold: number, tick: WindowTick): void => {
    const type: ResourceTypeConfig = {
      name: 'sim',
      patterns: ['**'],
      threshold,
      unmirrorThreshold: threshold / 2,
      maxMirrors: 1,
      sizeBytes: units.sizeOf(object),
      ttlSeconds: 0,
      warmPaths: ['/'],
    };
    const record = records.get(object);
    const decision = decideMirroring({
      forecast,
      type,
      mirrors: record === undefined ? [] : [record],
      candidates: [{ server, usedBytes: usedUnits(), healthy: true }],
      regionOf: () => server.region,
      settings,
      nowMs: tick.startMs,
    });
    switch (decision.kind) {
      case 'mirror':
        if (cache.pin(object, trace.objectSize[object] ?? 1)) {
          records.set(object, mirrorRecord(object, tick.startMs, decision.demand));
        }
        return;
      case 'unmirror':
        cache.unpin(object);
        records.delete(object);
        return;
      case 'hold':
        if (record !== undefined) records.set(object, { ...record, lowWindows: decision.lowWindows });
        return;
      case 'none':
        return;
    }
  };

  return {
    onWindow: (tick) => {
      cache.tick();
      judgeWindow(tick, units, records.keys(), judge);
    },
    onScoringStart: () => undefined,
    access: (index) => {
      const object = trace.object[index] ?? 0;
      return cache.access(object, trace.objectSize[object] ?? 1);
    },
  };
}

export function mirrorRecord(object: number, nowMs: number, demand: number): MirrorRecord {
  return {
    resource: String(object),
    cluster: 'sim',
    serverId: 'sim',
    serverHost: 'sim.invalid',
    state: 'applied',
    commandId: `sim-${object}-${nowMs}`,
    sinceMs: nowMs,
    reservedBytes: 0,
    predictedDemand: demand,
    resourceType: 'sim',
    lowWindows: 0,
  };
}

type Judge = (object: number, forecast: SeriesForecast, threshold: number, tick: WindowTick) => void;

/**
 * One window of the per-forecast policies: the threshold re-sized to capacity from the latest
 * forecasts, then each published forecast judged, then each mirrored object without a new one (so
 * its hysteresis moves on).
 */
export function judgeWindow(
  tick: WindowTick,
  units: { sizeOf: (object: number) => number; capacity: { size: number } },
  mirrored: Iterable<number>,
  judge: Judge,
): void {
  const rated = [...tick.latest].map(([object, forecast]) => ({
    rate: peakDemand(forecast),
    size: units.sizeOf(object),
  }));
  const threshold = thresholdForCapacity(rated, units.capacity.size);
  const judged = new Set<number>();
  for (const forecast of tick.published) {
    const object = Number(forecast.resource);
    judged.add(object);
    judge(object, forecast, threshold, tick);
  }
  for (const object of [...mirrored]) {
    const forecast = tick.latest.get(object);
    if (!judged.has(object) && forecast !== undefined) judge(object, forecast, threshold, tick);
  }
}
