import { defaultFeatureSpec, type FeatureSpec } from './lagFeatures.js';
import { fitRows, RegressionForecaster } from './lagRegression.js';
import { isObserved, type ForecastModel, type SeriesContext } from './model.js';

const toLog = (value: number): number => Math.log1p(Math.max(0, value));

/** Mean of log1p over the observed values: the per-series level a pooled model removes. */
export function logLevel(history: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < history.length; i++) {
    const v = history[i];
    if (isObserved(v)) {
      sum += toLog(v);
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

export interface PooledPeer {
  readonly history: Float64Array;
  readonly context: SeriesContext;
}

/**
 * One regression shared by many series: each series' log1p values minus its own mean level, on
 * shared lags (no calendar, whose phase differs between series). A sparse long-tail series has too
 * little signal for its own parameters; pooled over its peers, it borrows their dynamics.
 * `peers` are the other series' histories (the one being fitted is added to them).
 */
export function pooledGlobal(peers: readonly PooledPeer[]): ForecastModel {
  return {
    name: 'pooled-global',
    minHistory: (context) => 2 * Math.max(1, context.season) + 4,
    fit: (history, context) => {
      const spec: FeatureSpec = { ...defaultFeatureSpec(context, history.length, false), events: false };
      const training = [
        { history, context },
        ...peers.filter((p) => p.history !== history && p.context.season === context.season),
      ].map((p) => {
        const values = Array.from(p.history, toLog);
        return { values, context: p.context, offset: logLevel(p.history) };
      });
      const regression = fitRows(spec, training);
      const own = training[0];
      return new RegressionForecaster(regression, spec, context, own?.values ?? [], own?.offset ?? 0);
    },
  };
}
