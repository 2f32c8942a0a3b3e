import type { ForecastModel, SeriesContext } from '../models/model.js';

/** Every forecast a rolling-origin backtest made: point `i` predicted index[i], `step[i]` ahead. */
export interface BacktestForecasts {
  readonly index: Int32Array;
  readonly step: Int32Array;
  readonly mean: Float64Array;
  /** Origin (first forecast index) of each forecast. */
  readonly origin: Int32Array;
}

export interface RollingOriginOptions {
  /** Fit on values[0, trainEnd) and forecast from there on. */
  readonly trainEnd: number;
  /** Forecast no further than this index (exclusive); defaults to the series' length. */
  readonly end?: number;
  readonly horizon: number;
}

/**
 * Fits once on the training part, then walks the origin forward by `horizon` steps at a time: at
 * each origin it forecasts `horizon` steps, then feeds the model the values it has just forecast
 * (parameters fixed, state updated, as the live service learns). Returns undefined when the model
 * needs more history than the training part has.
 */
export function rollingOrigin(
  model: ForecastModel,
  values: Float64Array,
  context: SeriesContext,
  options: RollingOriginOptions,
): BacktestForecasts | undefined {
  const { trainEnd, horizon } = options;
  const end = Math.min(options.end ?? values.length, values.length);
  if (model.minHistory(context) > trainEnd || trainEnd >= end) return undefined;
  const fitted = model.fit(values.subarray(0, trainEnd), context);
  const total = end - trainEnd;
  const index = new Int32Array(total);
  const step = new Int32Array(total);
  const mean = new Float64Array(total);
  const originOf = new Int32Array(total);
  let k = 0;
  for (let origin = trainEnd; origin < end; origin += horizon) {
    const steps = Math.min(horizon, end - origin);
    const forecast = fitted.forecast(steps);
    for (let h = 0; h < steps; h++) {
      index[k] = origin + h;
      step[k] = h + 1;
      mean[k] = forecast[h] ?? 0;
      originOf[k] = origin;
      k++;
      fitted.update(values[origin + h] ?? Number.NaN);
    }
  }
  return { index, step, mean, origin: originOf };
}
