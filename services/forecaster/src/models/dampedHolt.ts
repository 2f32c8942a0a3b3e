import { Z90, type ForecastPoint, type OnlineModel } from './model.js';

export interface DampedHoltOptions {
  readonly alpha: number;
  readonly beta: number;
  /** Trend damping per step (phi < 1 stops a rise being extrapolated forever). */
  readonly phi: number;
}

/**
 * Holt's linear method with a damped trend, updated online. The spread of one-step errors
 * (exponentially weighted) gives the prediction interval, widening with the horizon.
 */
export class DampedHolt implements OnlineModel {
  readonly name = 'damped-holt';
  private level: number | undefined;
  private trend = 0;
  private errorVariance = 0;
  private observations = 0;

  constructor(private readonly options: DampedHoltOptions = { alpha: 0.5, beta: 0.3, phi: 0.8 }) {}

  update(value: number): void {
    const { alpha, beta, phi } = this.options;
    this.observations++;
    if (this.level === undefined) {
      this.level = value;
      this.errorVariance = value; // Poisson-like spread until errors are known
      return;
    }
    const predicted = this.level + phi * this.trend;
    const error = value - predicted;
    const previousLevel = this.level;
    this.level = predicted + alpha * error;
    this.trend = phi * this.trend + beta * (this.level - previousLevel - phi * this.trend);
    this.errorVariance = 0.8 * this.errorVariance + 0.2 * error * error;
  }

  forecast(horizon: number): ForecastPoint[] {
    const level = this.level ?? 0;
    const points: ForecastPoint[] = [];
    let damping = 0;
    for (let h = 1; h <= horizon; h++) {
      damping += this.options.phi ** h;
      const mean = Math.max(0, level + damping * this.trend);
      const sd = Math.sqrt(this.errorVariance * h);
      points.push({ mean, p50: mean, p90: mean + Z90 * sd });
    }
    return points;
  }

  get count(): number {
    return this.observations;
  }
}
