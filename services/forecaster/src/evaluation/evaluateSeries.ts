import { modelCatalog } from '../models/catalog.js';
import type { SeriesContext } from '../models/model.js';
import type { PooledPeer } from '../models/pooledGlobal.js';
import { scoreForecasts, seasonalNaiveScale, type Accuracy } from './accuracy.js';
import type { RegularSeries } from './regularSeries.js';
import { ResidualQuantiles } from './residualQuantiles.js';
import { rollingOrigin, type BacktestForecasts } from './rollingOrigin.js';
import { adaptiveSelection } from './adaptiveSelection.js';

/**
 * Selection keeps the best few models by training-part backtest and averages them: single picks on
 * near-equal backtest scores are mostly noise, and averaging the top few ("select then combine")
 * is steadier than any one of them. How many (2 to 5) is chosen by the same backtest: the size
 * whose averaged forecast scores best there, the smaller on a tie. Never one: a lone pick is the
 * noisiest choice of all.
 */
const SELECT_SIZES = [2, 3, 4, 5] as const;

/** The step-by-step mean of several backtests with one layout. */
function meanForecasts(all: readonly BacktestForecasts[]): BacktestForecasts {
  const first = all[0];
  if (first === undefined) throw new Error('meanForecasts needs at least one backtest');
  const mean = new Float64Array(first.mean.length);
  for (const b of all)
    for (let i = 0; i < mean.length; i++) mean[i] = (mean[i] ?? 0) + (b.mean[i] ?? 0) / all.length;
  return { ...first, mean };
}

export interface EvaluationOptions {
  readonly horizon: number;
  readonly season: number;
  /** Share of the series held out at the end (and of the training part, for selection). */
  readonly holdout: number;
}

export interface ModelScore extends Accuracy {
  readonly model: string;
  /** MASE of the backtest inside the training part: what selection sees. */
  readonly selectionMase: number;
}

export interface SeriesEvaluation {
  readonly series: string;
  readonly stepSeconds: number;
  readonly season: number;
  readonly horizon: number;
  readonly points: number;
  readonly trainPoints: number;
  readonly scale: number;
  /** The models selection picks from the training part alone (their forecasts are averaged). */
  readonly selected: readonly string[];
  readonly models: readonly ModelScore[];
  /** The selection's holdout score, and that of selection re-run as errors drift. */
  readonly selectedScore: Accuracy;
  readonly adaptiveScore: Accuracy;
  readonly skipped: readonly string[];
}

/** The top-k of `ranked` (k in SELECT_SIZES) whose averaged inner backtest has the lowest MASE. */
function chooseEnsemble<R extends { inner: BacktestForecasts }>(
  ranked: readonly R[],
  values: Float64Array,
  innerScale: number,
): R[] {
  let best = ranked.slice(0, SELECT_SIZES[0]);
  let bestMase = Number.POSITIVE_INFINITY;
  for (const size of SELECT_SIZES) {
    if (size > ranked.length && size > SELECT_SIZES[0]) break;
    const candidate = ranked.slice(0, size);
    if (candidate.length === 0) break;
    const mase = scoreForecasts(values, meanForecasts(candidate.map((r) => r.inner)), innerScale).mase;
    if (mase < bestMase) {
      best = candidate;
      bestMase = mase;
    }
  }
  return best;
}

export function contextOf(series: RegularSeries, season: number): SeriesContext {
  return { season, stepMs: series.stepMs, startMs: series.startMs };
}

/**
 * The evaluation protocol: hold out the last `holdout` share; fit each model on the rest and
 * forecast `horizon` steps from origins every `horizon` steps across the holdout (state updated,
 * parameters fixed); MASE scaled by in-sample seasonal-naive error on the training part; scored on
 * observed points only. Selection and the p50/p90 quantiles come from the same protocol run inside
 * the training part, so the holdout plays no part in either.
 */
export function evaluateSeries(
  series: RegularSeries,
  options: EvaluationOptions,
  peers: readonly RegularSeries[] = [],
): SeriesEvaluation {
  const { horizon, season, holdout } = options;
  const values = series.values;
  const context = contextOf(series, season);
  const trainEnd = Math.floor(values.length * (1 - holdout));
  const innerEnd = Math.floor(trainEnd * (1 - holdout));
  const peerParts = (end: (s: RegularSeries) => number): PooledPeer[] =>
    peers
      .filter((p) => p !== series && p.stepMs === series.stepMs)
      .map((p) => ({ history: p.values.subarray(0, end(p)), context: contextOf(p, season) }));
  const innerModels = modelCatalog(
    context,
    peerParts((p) => Math.floor(Math.floor(p.values.length * (1 - holdout)) * (1 - holdout))),
  );
  const outerModels = modelCatalog(
    context,
    peerParts((p) => Math.floor(p.values.length * (1 - holdout))),
  );
  const innerScale = seasonalNaiveScale(values, innerEnd, season);
  const scale = seasonalNaiveScale(values, trainEnd, season);

  const rows: { score: ModelScore; inner: BacktestForecasts; outer: BacktestForecasts }[] = [];
  const skipped: string[] = [];
  innerModels.forEach((innerModel, i) => {
    const outerModel = outerModels[i] ?? innerModel;
    const inner = rollingOrigin(innerModel, values, context, { trainEnd: innerEnd, end: trainEnd, horizon });
    const outer = inner && rollingOrigin(outerModel, values, context, { trainEnd, horizon });
    if (inner === undefined || outer === undefined) {
      skipped.push(innerModel.name);
      return;
    }
    const quantiles = ResidualQuantiles.fromBacktest(values, inner, horizon);
    const selectionMase = scoreForecasts(values, inner, innerScale).mase;
    const score = {
      model: innerModel.name,
      selectionMase,
      ...scoreForecasts(values, outer, scale, quantiles.p90For(outer)),
    };
    rows.push({ score, inner, outer });
  });
  const ranked = [...rows].sort((a, b) => a.score.selectionMase - b.score.selectionMase);
  const chosen = chooseEnsemble(ranked, values, innerScale);
  const best = ranked[0];
  const empty: Accuracy = { mase: Number.NaN, wape: Number.NaN, coverage90: Number.NaN, points: 0 };
  let selectedScore = empty;
  if (chosen.length > 0) {
    const inner = meanForecasts(chosen.map((r) => r.inner));
    const outer = meanForecasts(chosen.map((r) => r.outer));
    const quantiles = ResidualQuantiles.fromBacktest(values, inner, horizon);
    selectedScore = scoreForecasts(values, outer, scale, quantiles.p90For(outer));
  }
  const adaptive = adaptiveSelection(
    values,
    rows.map((r) => ({ name: r.score.model, inner: r.inner, outer: r.outer })),
    best?.score.model,
  );
  return {
    series: series.name,
    stepSeconds: series.stepMs / 1000,
    season,
    horizon,
    points: values.length,
    trainPoints: trainEnd,
    scale,
    selected: chosen.map((r) => r.score.model),
    models: rows.map((r) => r.score),
    selectedScore,
    adaptiveScore: adaptive === undefined ? empty : scoreForecasts(values, adaptive, scale),
    skipped,
  };
}
