import { MultivariateLinearRegression } from 'ml-regression';
import { defaultFeatureSpec, featureRow, maxLag, type FeatureSpec } from './lagFeatures.js';
import { isObserved, type FittedForecaster, type ForecastModel, type SeriesContext } from './model.js';

const toLog = (value: number): number => Math.log1p(Math.max(0, value));

/**
 * Linear regression (ml-regression) of log1p demand on its lags, its recent level, calendar
 * harmonics and external-event intensity. Multi-step forecasts are recursive: each predicted step
 * becomes a lag for the next.
 */
export function lagRegression(): ForecastModel {
  return {
    name: 'lag-regression',
    minHistory: (context) => 4 * Math.max(1, context.season) + 20,
    fit: (history, context) => {
      const spec = defaultFeatureSpec(context, history.length, true);
      const values = Array.from(history, toLog);
      const regression = fitRows(spec, [{ values, context, offset: 0 }]);
      return new RegressionForecaster(regression, spec, context, values);
    },
  };
}

export interface TrainingSeries {
  readonly values: readonly number[];
  readonly context: SeriesContext;
  /** Subtracted from targets and lags (a pooled model's per-series normalisation). */
  readonly offset: number;
}

/** Least squares over every complete row of every series. */
export function fitRows(
  spec: FeatureSpec,
  series: readonly TrainingSeries[],
): MultivariateLinearRegression | undefined {
  const x: number[][] = [];
  const y: number[][] = [];
  for (const { values, context, offset } of series) {
    const shifted = offset === 0 ? values : values.map((v) => v - offset);
    for (let t = maxLag(spec); t < shifted.length; t++) {
      const target = shifted[t];
      if (!isObserved(target)) continue;
      const row = featureRow(spec, shifted, t, context);
      if (row === undefined) continue;
      x.push(row);
      y.push([target]);
    }
  }
  if (x.length <= (x[0]?.length ?? 0) + 2) return undefined;
  return new MultivariateLinearRegression(x, y, { intercept: true, statistics: false });
}

export class RegressionForecaster implements FittedForecaster {
  /** Working values (log1p minus offset), missing ones imputed by the one-step prediction. */
  private readonly values: number[];

  constructor(
    private readonly regression: MultivariateLinearRegression | undefined,
    private readonly spec: FeatureSpec,
    private readonly context: SeriesContext,
    history: readonly number[],
    private readonly offset = 0,
  ) {
    this.values = [];
    for (const v of history) this.push(v);
  }

  private push(working: number): void {
    const value = isObserved(working)
      ? working - this.offset
      : this.predictAt(this.values, this.values.length);
    this.values.push(value);
  }

  update(value: number): void {
    this.push(toLog(value));
  }

  private predictAt(values: readonly number[], t: number): number {
    const last = values[t - 1] ?? 0;
    if (this.regression === undefined) return last;
    const row = featureRow(this.spec, values, t, this.context);
    if (row === undefined) return last;
    return this.regression.predict(row)[0] ?? last;
  }

  forecast(horizon: number): Float64Array {
    const keep = maxLag(this.spec) + 1;
    const from = Math.max(0, this.values.length - keep);
    // Recursive: a scratch copy of the tail grows with each prediction; indices stay absolute.
    const scratch: number[] = new Array<number>(from).fill(Number.NaN).concat(this.values.slice(from));
    const out = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      const predicted = this.predictAt(scratch, scratch.length);
      scratch.push(predicted);
      out[h] = Math.max(0, Math.expm1(predicted + this.offset));
    }
    return out;
  }
}
