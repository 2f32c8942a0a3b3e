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
