import type { FittedForecaster, ForecastModel } from './model.js';

/**
 * Runs a model on log1p of the series and maps forecasts back with expm1. Demand is multiplicative
 * (a busy hour scales everything), so its logarithm is closer to the additive, constant-variance
 * world that ETS assumes; expm1 of a log forecast is a median, the right point for absolute error.
 */
export function logTransformed(inner: ForecastModel, name = `${inner.name}-log1p`): ForecastModel {
  return {
    name,
    minHistory: (context) => inner.minHistory(context),
    fit: (history, context) => {
      const fitted = inner.fit(history.map(toLog), context);
      return new LogForecaster(fitted);
    },
  };
}

const toLog = (value: number): number => Math.log1p(Math.max(0, value));

class LogForecaster implements FittedForecaster {
  constructor(private readonly inner: FittedForecaster) {}

  update(value: number): void {
    this.inner.update(toLog(value));
  }

  forecast(horizon: number): Float64Array {
    return this.inner.forecast(horizon).map((v) => Math.max(0, Math.expm1(v)));
  }
}
