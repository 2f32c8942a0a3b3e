import type { PdmeConfig, ResourceTypeConfig } from '@pdme/common/config';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import {
  decideByBenefit,
  DemandMemory,
  ForecastBook,
  predictedHits,
  type BenefitSettings,
} from '@pdme/decision';
import type { SeriesForecast } from '@pdme/forecaster';
import { judgeWindow, mirrorRecord, simServer } from './greedyPolicy.js';
import { planUnits } from './planUnits.js';
import type { ClusterSetup, SimPolicy, WindowTick } from './policy.js';
import { PRIOR_HALF_LIFE_WINDOWS } from './priorBenefitPolicy.js';
import { SimCache } from './simCache.js';

const MIB = 1024 * 1024;

/**
 * The decision service's benefit path as it runs live, one published forecast at a time in arrival
 * order (decideByBenefit): forecast hits (plus, `withPrior`, the DemandMemory prior the service
 * adds when given `priorHalfLifeMs`), mirrored where it fits, a
 * full cache's worst residents displaced after `hysteresisWindows` forecasts of contention, the room
 * taken at the newcomer's next forecast; a mirrored resource follows the seed's hysteresis (its
 * threshold sized from the data as for greedy). Units as for benefit: a hit saves 1, moving an
 * object of mean size costs 1. Residents are judged every window, so hysteresis counts windows.
 */
export function liveBenefitPolicy(setup: ClusterSetup, withPrior: boolean): SimPolicy {
  const cache = new SimCache({ ...setup, admitOnMiss: false });
  const { trace, windowMs } = setup;
  const units = planUnits(setup);
  const objects = trace.objectNames.length;
  let totalSize = 0;
  for (let object = 0; object < objects; object++) totalSize += units.sizeOf(object);
  const server = simServer(units.capacity.size);
  // savedPerHit = origin − server latency = 1; transfer per unit = objects / total size.
  const benefit: BenefitSettings = {
    originLatencyMs: server.latencyMs + 1,
    transferCostPerMiB: (MIB * objects) / Math.max(totalSize, 1) / server.cost,
  };
  const settings: PdmeConfig['decision'] = {
    policy: 'benefit',
    weights: { latency: 1, capacity: 1, diversity: 1, cost: 1 },
    hysteresisWindows: 2,
    minLifetimeMs: windowMs,
    warmTimeMs: 0,
  };
  const book = new ForecastBook(objects);
  const memory = new DemandMemory(PRIOR_HALF_LIFE_WINDOWS * windowMs, objects);
  const records = new Map<number, MirrorRecord>();
  const usedUnits = (): number =>
    Number.isFinite(setup.capacityBytes) ? cache.pinnedBytes : cache.pinnedObjects;

  const judge = (object: number, forecast: SeriesForecast, threshold: number, tick: WindowTick): void => {
    const resource = String(object);
    const size = units.sizeOf(object);
    const type: ResourceTypeConfig = {
      name: 'sim',
      patterns: ['**'],
      threshold,
      unmirrorThreshold: threshold / 2,
      maxMirrors: 1,
      sizeBytes: size,
      ttlSeconds: 0,
      warmPaths: ['/'],
    };
    const record = records.get(object);
    const priorHits = withPrior ? memory.valueOf(resource, tick.startMs) : 0;
    const decision = decideByBenefit({
      forecast,
      type,
      mirrors: record === undefined ? [] : [record],
      candidates: [{ server, usedBytes: usedUnits(), healthy: true }],
      regionOf: () => server.region,
      settings,
      nowMs: tick.startMs,
      residents: [...records.values()],
      hitsOf: (r) => {
        const hits = book.hitsOf('sim', r);
        return hits === undefined || !withPrior ? hits : hits + memory.valueOf(r, tick.startMs);
      },
      benefit,
      contendedWindows: book.contendedWindows('sim', resource),
      priorHits,
    });
    book.setContendedWindows('sim', resource, decision.kind === 'contend' ? decision.contendedWindows : 0);
    switch (decision.kind) {
      case 'mirror':
        if (cache.pin(object, trace.objectSize[object] ?? 1)) {
          records.set(object, {
            ...mirrorRecord(object, tick.startMs, decision.demand),
            reservedBytes: size,
          });
        }
        return;
      case 'unmirror':
        cache.unpin(object);
        records.delete(object);
        return;
      case 'hold':
        if (record !== undefined) records.set(object, { ...record, lowWindows: decision.lowWindows });
        return;
      case 'displace':
        for (const victim of decision.victims) {
          cache.unpin(Number(victim.resource));
          records.delete(Number(victim.resource));
        }
        return;
      case 'none':
      case 'contend':
        return;
    }
  };

  return {
    onWindow: (tick) => {
      cache.tick();
      for (const forecast of tick.published) {
        memory.record(forecast.resource, forecast);
        book.record('sim', forecast.resource, predictedHits(forecast));
      }
      judgeWindow(tick, units, records.keys(), judge);
    },
    onScoringStart: () => undefined,
    access: (index) => {
      const object = trace.object[index] ?? 0;
      return cache.access(object, trace.objectSize[object] ?? 1);
    },
  };
}
