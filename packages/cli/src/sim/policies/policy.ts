import type { SeriesForecast } from '@pdme/forecaster';
import type { Trace } from '../trace.js';

/** How a request was served: by a mirror placed before it came, by a reactive cache, or not at all. */
export type Outcome = 'proactive' | 'reactive' | 'miss';

/** Costs a policy incurs; counted only once scoring has begun (after warm-up). */
export interface MoveStats {
  bytesMoved: number;
  dnsChanges: number;
  lateMirrors: number;
}

export interface Scoring {
  on: boolean;
}

/** What a policy instance knows about its cluster when it is created. */
export interface ClusterSetup {
  readonly trace: Trace;
  readonly cluster: number;
  /** Room in objects (Infinity when only bytes count). */
  readonly capacityObjects: number;
  /** Room in bytes (Infinity when only objects count). */
  readonly capacityBytes: number;
  /** First request index that is scored. */
  readonly warmupEnd: number;
  readonly windowMs: number;
  readonly stats: MoveStats;
  readonly scoring: Scoring;
}

/** Called at each window boundary, before the window's first request. */
export interface WindowTick {
  readonly startMs: number;
  /** Index of the window's first request. */
  readonly fromIndex: number;
  /** The latest forecast of each object in this cluster (what the decision service would hold). */
  readonly latest: ReadonlyMap<number, SeriesForecast>;
  /** Forecasts published when the previous window closed, in arrival order. */
  readonly published: readonly SeriesForecast[];
}

/** One placement policy for one cluster's cache. */
export interface SimPolicy {
  onWindow(tick: WindowTick): void;
  onScoringStart(index: number): void;
  /** Serves request `index` (of this cluster) and says how. */
  access(index: number): Outcome;
}

export type PolicyFactory = (setup: ClusterSetup) => SimPolicy;
