import type { PdmeConfig, ResourceTypeConfig } from '@pdme/common/config';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import { selectBestServer, type Candidate } from './selectBestServer.js';
import { SERIES_END_MODEL } from '@pdme/common/messages';

export interface ForecastView {
  readonly resource: string;
  readonly cluster: string;
  readonly issuedMs: number;
  readonly steps: readonly { readonly tsMs: number; readonly mean: number }[];
  /** The forecaster's model; SERIES_END_MODEL marks a series' last, zero forecast. */
  readonly model?: string;
}

export type Decision =
  | {
      readonly kind: 'mirror';
      readonly server: Candidate;
      readonly demand: number;
      readonly liveByMs: number;
    }
  | { readonly kind: 'unmirror'; readonly demand: number }
  | { readonly kind: 'hold'; readonly demand: number; readonly lowWindows: number }
  | { readonly kind: 'none'; readonly reason: string; readonly demand: number };

export interface DecisionInput {
  readonly forecast: ForecastView;
  readonly type: ResourceTypeConfig;
  /** This resource's mirrors in every cluster (maxMirrors counts them all). */
  readonly mirrors: readonly MirrorRecord[];
  /** The forecast's cluster's cache servers with their reserved bytes. */
  readonly candidates: readonly Candidate[];
  /** Region of each server id, to judge geographic diversity. */
  readonly regionOf: (serverId: string) => string | undefined;
  readonly settings: PdmeConfig['decision'];
  readonly nowMs: number;
}

/** The peak predicted demand over the horizon: a crowd ten minutes out still needs a mirror now. */
export function peakDemand(forecast: ForecastView): number {
  return forecast.steps.reduce((max, step) => Math.max(max, step.mean), 0);
}

/**
 * The seed's decideMirroring for one (cluster, resource) forecast, plus unmirroring with
 * hysteresis: demand under the lower threshold for N forecasts in a row, and a minimum lifetime.
 * Pure: the caller reads state and applies the decision atomically.
 */
export function decideMirroring(input: DecisionInput): Decision {
  const { forecast, type, mirrors, settings } = input;
  const demand = peakDemand(forecast);
  const here = mirrors.find((m) => m.cluster === forecast.cluster);
  if (here !== undefined) {
    if (here.state !== 'applied') return { kind: 'none', reason: `mirror ${here.state}`, demand };
    if (demand >= type.unmirrorThreshold) {
      return here.lowWindows === 0
        ? { kind: 'none', reason: 'mirrored', demand }
        : { kind: 'hold', demand, lowWindows: 0 };
    }
    // A series-end forecast comes after many idle windows: the hysteresis has already been served.
    const lowWindows = forecast.model === SERIES_END_MODEL ? settings.hysteresisWindows : here.lowWindows + 1;
    const oldEnough = input.nowMs - here.sinceMs >= settings.minLifetimeMs;
    if (lowWindows >= settings.hysteresisWindows && oldEnough) return { kind: 'unmirror', demand };
    return { kind: 'hold', demand, lowWindows };
  }
  if (demand <= type.threshold) return { kind: 'none', reason: 'below threshold', demand };
  if (mirrors.length >= type.maxMirrors) return { kind: 'none', reason: 'maxMirrors reached', demand };
  const regions = new Set(mirrors.map((m) => input.regionOf(m.serverId)).filter((r) => r !== undefined));
  const server = selectBestServer(input.candidates, type.sizeBytes, regions, settings.weights);
  if (server === undefined) return { kind: 'none', reason: 'no cache server with room', demand };
  return { kind: 'mirror', server, demand, liveByMs: liveBy(forecast, type, settings.warmTimeMs) };
}

/**
 * When the mirror must be visible: the first window predicted over the threshold, less the time
 * to warm the cache and the DNS TTL during which resolvers may still hold the old answer.
 */
export function liveBy(forecast: ForecastView, type: ResourceTypeConfig, warmTimeMs: number): number {
  const first = forecast.steps.find((step) => step.mean > type.threshold) ?? forecast.steps[0];
  const demandStart = first?.tsMs ?? forecast.issuedMs;
  return demandStart - warmTimeMs - type.ttlSeconds * 1000;
}
