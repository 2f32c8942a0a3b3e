export interface ForecastPoint {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
}

/** A per-series model updated online, one closed window at a time. */
export interface OnlineModel {
  readonly name: string;
  update(value: number): void;
  /** Forecasts for the next `horizon` windows. */
  forecast(horizon: number): ForecastPoint[];
}

/** z for the 90th percentile of a normal distribution. */
export const Z90 = 1.2816;

/** What a model may know about a series besides its values. */
export interface SeriesContext {
  /** Steps per season (1 when the series has none). */
  readonly season: number;
  readonly stepMs: number;
  /** Time of index 0, for calendar features. */
  readonly startMs: number;
  /** External-event intensity per index (announced ahead, so known for future steps); 0 when absent. */
  readonly events?: Float64Array;
}

/**
 * A forecasting method: `fit` estimates its parameters on a history (NaN marks a missing
 * observation) and returns a forecaster positioned at the end of that history.
 */
export interface ForecastModel {
  readonly name: string;
  /** Fewest observations `fit` needs. */
  minHistory(context: SeriesContext): number;
  fit(history: Float64Array, context: SeriesContext): FittedForecaster;
}

/** A fitted model's state: forecasts ahead of its position and moves on with each new value. */
export interface FittedForecaster {
  /** Point forecasts (means) for the next `horizon` steps, never negative. */
  forecast(horizon: number): Float64Array;
  /** Moves one step on; NaN means the value was not observed. Parameters stay fixed. */
  update(value: number): void;
}

export function isObserved(value: number | undefined): value is number {
  return value !== undefined && !Number.isNaN(value);
}
