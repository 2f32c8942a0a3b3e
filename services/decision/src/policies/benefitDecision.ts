import type { CacheServerConfig } from '@pdme/common/config';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import {
  decideMirroring,
  liveBy,
  peakDemand,
  type Decision,
  type DecisionInput,
  type ForecastView,
} from '../decideMirroring.js';
import { selectBestServer } from '../selectBestServer.js';
import { expectedBenefit } from './benefitPlan.js';

const MIB = 1024 * 1024;

/** What turns predicted hits and bytes into one unit (milliseconds of client latency). */
export interface BenefitSettings {
  /** Latency of a request served by the origin; a mirror saves this less its own latency. */
  readonly originLatencyMs: number;
  /** Cost of moving one MiB onto a server of network cost 1, in milliseconds of latency saved. */
  readonly transferCostPerMiB: number;
}

export interface BenefitInput extends DecisionInput {
  /** This cluster's mirror records (the residents a better resource may displace). */
  readonly residents: readonly MirrorRecord[];
  /** Hits a resource's latest forecast in this cluster expects over its horizon, if known. */
  readonly hitsOf: (resource: string) => number | undefined;
  readonly benefit: BenefitSettings;
  /** Forecasts in a row, before this one, in which this resource out-ranked residents that block it. */
  readonly contendedWindows: number;
  /** This resource's long-run decayed demand (DemandMemory), added to its forecast hits. */
  readonly priorHits?: number;
}

export type BenefitDecision =
  | Decision
  /** Not yet: the resource has out-ranked the residents for this many forecasts in a row. */
  | { readonly kind: 'contend'; readonly demand: number; readonly contendedWindows: number }
  /** Unmirror these residents; the resource takes the room once their release is applied. */
  | { readonly kind: 'displace'; readonly demand: number; readonly victims: readonly MirrorRecord[] };

/** Hits the forecast expects over its whole horizon (the sum of its steps' means). */
export function predictedHits(forecast: ForecastView): number {
  return forecast.steps.reduce((sum, step) => sum + Math.max(0, step.mean), 0);
}

/** Expected benefit per byte of holding `bytes` on `server`: hits × latency saved − transfer. */
export function benefitPerByte(
  hits: number,
  bytes: number,
  server: CacheServerConfig,
  resident: boolean,
  settings: BenefitSettings,
): number {
  if (bytes <= 0) return 0;
  const total = expectedBenefit(
    { resource: '', predictedHits: hits, size: bytes, resident },
    {
      savedPerHit: Math.max(0, settings.originLatencyMs - server.latencyMs),
      transferPerUnit: (settings.transferCostPerMiB * server.cost) / MIB,
    },
  );
  return total / bytes;
}

interface Displacement {
  readonly victims: MirrorRecord[];
  /** The newcomer's benefit less what the victims give up. */
  readonly gain: number;
}

/**
 * The capacity-aware policy for one (cluster, resource) forecast. A mirrored resource follows the
 * seed's hysteresis and minimum lifetime. Otherwise the resource is mirrored where it fits if its
 * expected benefit is positive; where nothing fits, it may displace the residents of one server
 * that are worth less per byte (and past their minimum lifetime), once it has out-ranked them for
 * `hysteresisWindows` forecasts in a row, so one optimistic forecast cannot churn the cache.
 */
export function decideByBenefit(input: BenefitInput): BenefitDecision {
  const { forecast, type, mirrors, settings } = input;
  const demand = peakDemand(forecast);
  if (mirrors.some((m) => m.cluster === forecast.cluster)) return decideMirroring(input);
  if (mirrors.length >= type.maxMirrors) return { kind: 'none', reason: 'maxMirrors reached', demand };
  const hits = predictedHits(forecast) + (input.priorHits ?? 0);
  const regions = new Set(mirrors.map((m) => input.regionOf(m.serverId)).filter((r) => r !== undefined));
  const room = selectBestServer(input.candidates, type.sizeBytes, regions, settings.weights);
  if (room !== undefined) {
    if (benefitPerByte(hits, type.sizeBytes, room.server, false, input.benefit) <= 0) {
      return { kind: 'none', reason: 'no positive benefit', demand };
    }
    return { kind: 'mirror', server: room, demand, liveByMs: liveBy(forecast, type, settings.warmTimeMs) };
  }
  const best = bestDisplacement(input, hits);
  if (best === undefined) return { kind: 'none', reason: 'no cache server with room', demand };
  const contendedWindows = input.contendedWindows + 1;
  if (contendedWindows < settings.hysteresisWindows) return { kind: 'contend', demand, contendedWindows };
  return { kind: 'displace', demand, victims: best.victims };
}

function bestDisplacement(input: BenefitInput, hits: number): Displacement | undefined {
  const { type, settings, nowMs } = input;
  let best: Displacement | undefined;
  for (const candidate of input.candidates) {
    const server = candidate.server;
    if (!candidate.healthy || server.capacityBytes < type.sizeBytes) continue;
    const mine = benefitPerByte(hits, type.sizeBytes, server, false, input.benefit);
    if (mine <= 0) continue;
    const residents = input.residents
      .filter((r) => r.serverId === server.id && r.state === 'applied')
      .filter((r) => nowMs - r.sinceMs >= settings.minLifetimeMs)
      .map((r) => ({
        record: r,
        perByte: benefitPerByte(input.hitsOf(r.resource) ?? 0, r.reservedBytes, server, true, input.benefit),
      }))
      .filter((r) => r.perByte < mine)
      .sort((a, b) => a.perByte - b.perByte || compareNames(a.record.resource, b.record.resource));
    let free = server.capacityBytes - candidate.usedBytes;
    const victims: MirrorRecord[] = [];
    let lost = 0;
    for (const { record, perByte } of residents) {
      if (free >= type.sizeBytes) break;
      victims.push(record);
      free += record.reservedBytes;
      lost += perByte * record.reservedBytes;
    }
    if (free < type.sizeBytes) continue;
    const gain = mine * type.sizeBytes - lost;
    if (gain > 0 && (best === undefined || gain > best.gain)) best = { victims, gain };
  }
  return best;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
