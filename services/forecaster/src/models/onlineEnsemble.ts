import { Z90, type ForecastPoint } from './model.js';
import type { PooledFeatures } from './pooledOnline.js';

/**
 * Three cheap online models per series, kept side by side in a few floats of a shared array, with
 * the one whose recent error is lowest in charge: damped Holt on counts (quick to follow a rise),
 * damped Holt on log1p counts (steadier on bursty series) and naive (last value). Each closed window
 * scores every model's one-step forecast before updating it, so selection re-runs on every window
 * and a series changes model when its error drifts.
 */
export const ONLINE_MODEL_NAMES = ['damped-holt', 'damped-holt-log1p', 'naive'] as const;
const MODELS = ONLINE_MODEL_NAMES.length;

/** Slot layout (offsets inside one series' stride). */
const COUNT = 0;
const PUBLISHED = 1;
const CURRENT = 2;
const RAW_LEVEL = 3;
const RAW_TREND = 4;
const LOG_LEVEL = 5;
const LOG_TREND = 6;
const LAST = 7;
const ABS_ERROR = 8; // MODELS entries
const SQ_ERROR = ABS_ERROR + MODELS; // MODELS entries
export const ONLINE_STRIDE = SQ_ERROR + MODELS;

const RAW = { alpha: 0.5, beta: 0.3, phi: 0.8 };
const LOG = { alpha: 0.3, beta: 0.1, phi: 0.9 };
/** Weight of the newest window in each model's running error. */
const ERROR_DECAY = 0.1;
/** Another model takes over only when its running error is this much lower. */
const SWITCH_MARGIN = 0.1;

export function initSlot(state: Float64Array, at: number): void {
  state.fill(0, at, at + ONLINE_STRIDE);
  state[at + PUBLISHED] = Number.NaN;
}

export function observations(state: Float64Array, at: number): number {
  return state[at + COUNT] ?? 0;
}

export function currentModel(state: Float64Array, at: number): string {
  return ONLINE_MODEL_NAMES[state[at + CURRENT] ?? 0] ?? 'damped-holt';
}

export function lastPublished(state: Float64Array, at: number): number | undefined {
  const v = state[at + PUBLISHED] ?? Number.NaN;
  return Number.isNaN(v) ? undefined : v;
}

export function setLastPublished(state: Float64Array, at: number, mean: number): void {
  state[at + PUBLISHED] = mean;
}

const damping = (phi: number, h: number): number => (phi * (1 - phi ** h)) / (1 - phi);

/** Model `k`'s mean forecast `h` steps ahead. */
function meanOf(state: Float64Array, at: number, k: number, h: number): number {
  switch (k) {
    case 0:
      return Math.max(0, (state[at + RAW_LEVEL] ?? 0) + damping(RAW.phi, h) * (state[at + RAW_TREND] ?? 0));
    case 1:
      return Math.max(
        0,
        Math.expm1((state[at + LOG_LEVEL] ?? 0) + damping(LOG.phi, h) * (state[at + LOG_TREND] ?? 0)),
      );
    default:
      return state[at + LAST] ?? 0;
  }
}

/** What the pooled global model reads from a series' state (`pooledOnline.ts`). */
export function pooledFeatures(state: Float64Array, at: number): PooledFeatures {
  return {
    logLast: Math.log1p(Math.max(0, state[at + LAST] ?? 0)),
    logLevel: state[at + LOG_LEVEL] ?? 0,
    logTrend: state[at + LOG_TREND] ?? 0,
  };
}

/** The last window's count (0 before any window). */
export function lastValue(state: Float64Array, at: number): number {
  return state[at + LAST] ?? 0;
}

/** The model in charge's forecast one step ahead (0 before any window). */
export function expectedNext(state: Float64Array, at: number): number {
  if (observations(state, at) === 0) return 0;
  return meanOf(state, at, state[at + CURRENT] ?? 0, 1);
}

/** The running RMS one-step error of the model in charge (its forecast's spread). */
export function spreadNext(state: Float64Array, at: number): number {
  return Math.sqrt(state[at + SQ_ERROR + (state[at + CURRENT] ?? 0)] ?? 0);
}

/** Scores each model on `value`, updates them all, then re-selects. */
export function updateSlot(state: Float64Array, at: number, value: number): void {
  const count = state[at + COUNT] ?? 0;
  state[at + COUNT] = count + 1;
  const logValue = Math.log1p(Math.max(0, value));
  if (count === 0) {
    state[at + RAW_LEVEL] = value;
    state[at + LOG_LEVEL] = logValue;
    state[at + LAST] = value;
    for (let k = 0; k < MODELS; k++) {
      state[at + ABS_ERROR + k] = Math.sqrt(value); // Poisson-like spread until errors are known
      state[at + SQ_ERROR + k] = value;
    }
    return;
  }
  for (let k = 0; k < MODELS; k++) {
    const error = value - meanOf(state, at, k, 1);
    state[at + ABS_ERROR + k] =
      (1 - ERROR_DECAY) * (state[at + ABS_ERROR + k] ?? 0) + ERROR_DECAY * Math.abs(error);
    state[at + SQ_ERROR + k] = 0.8 * (state[at + SQ_ERROR + k] ?? 0) + 0.2 * error * error;
  }
  holtStep(state, at + RAW_LEVEL, value, RAW);
  holtStep(state, at + LOG_LEVEL, logValue, LOG);
  state[at + LAST] = value;
  let current = state[at + CURRENT] ?? 0;
  let best = current;
  for (let k = 0; k < MODELS; k++)
    if ((state[at + ABS_ERROR + k] ?? 0) < (state[at + ABS_ERROR + best] ?? 0)) best = k;
  if ((state[at + ABS_ERROR + best] ?? 0) * (1 + SWITCH_MARGIN) < (state[at + ABS_ERROR + current] ?? 0))
    current = best;
  state[at + CURRENT] = current;
}

/** Damped Holt in error-correction form on [level, trend] at `at`. */
function holtStep(state: Float64Array, at: number, value: number, p: typeof RAW): void {
  const level = state[at] ?? 0;
  const trend = state[at + 1] ?? 0;
  const predicted = level + p.phi * trend;
  const error = value - predicted;
  const next = predicted + p.alpha * error;
  state[at] = next;
  state[at + 1] = p.phi * trend + p.beta * (next - level - p.phi * trend);
}

/** The model in charge's forecast; p90 from its running squared error, widening with the horizon. */
export function forecastSlot(state: Float64Array, at: number, horizon: number): ForecastPoint[] {
  const k = state[at + CURRENT] ?? 0;
  const variance = state[at + SQ_ERROR + k] ?? 0;
  const points: ForecastPoint[] = [];
  for (let h = 1; h <= horizon; h++) {
    const mean = meanOf(state, at, k, h);
    points.push({ mean, p50: mean, p90: mean + Z90 * Math.sqrt(variance * h) });
  }
  return points;
}
