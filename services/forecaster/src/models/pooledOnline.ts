/**
 * The pooled global model of the live path: one linear regression shared by every series, of the
 * next window's log1p count on what each series' compact state already holds (log1p of the last
 * count, the log-scale damped-Holt level and trend). It learns from every closed window of every
 * series by recursive least squares, and forecasts for sparse series (a few windows seen), whose
 * own models have next to nothing to go on: it borrows the dynamics of the whole population.
 */
export interface PooledFeatures {
  readonly logLast: number;
  readonly logLevel: number;
  readonly logTrend: number;
}

const FEATURES = 4; // intercept, logLast, logLevel, logTrend
/** Old windows fade with this factor per update, so the model follows a changing population. */
const FORGETTING = 0.99995;
/** Initial coefficient variance: large, so the first samples decide. */
const PRIOR_VARIANCE = 100;

export class PooledOnlineModel {
  private readonly weights = new Float64Array(FEATURES);
  private readonly covariance = new Float64Array(FEATURES * FEATURES);
  private readonly x = new Float64Array(FEATURES);
  private readonly px = new Float64Array(FEATURES);
  private samples = 0;

  constructor() {
    for (let i = 0; i < FEATURES; i++) this.covariance[i * FEATURES + i] = PRIOR_VARIANCE;
  }

  /** Windows learnt from so far. */
  get trained(): number {
    return this.samples;
  }

  /** One recursive-least-squares step on a window: `features` before it, `count` its value. */
  learn(features: PooledFeatures, count: number): void {
    const { x, px, covariance: p, weights: w } = this;
    this.load(features.logLast, features);
    let denominator = FORGETTING;
    for (let i = 0; i < FEATURES; i++) {
      let sum = 0;
      for (let j = 0; j < FEATURES; j++) sum += (p[i * FEATURES + j] ?? 0) * (x[j] ?? 0);
      px[i] = sum;
      denominator += (x[i] ?? 0) * sum;
    }
    const error = Math.log1p(Math.max(0, count)) - this.dot();
    for (let i = 0; i < FEATURES; i++) w[i] = (w[i] ?? 0) + ((px[i] ?? 0) * error) / denominator;
    for (let i = 0; i < FEATURES; i++)
      for (let j = 0; j < FEATURES; j++)
        p[i * FEATURES + j] =
          ((p[i * FEATURES + j] ?? 0) - ((px[i] ?? 0) * (px[j] ?? 0)) / denominator) / FORGETTING;
    this.samples++;
  }

  /** Counts for the next `horizon` windows (medians: expm1 of the log forecast), each fed to the next. */
  forecast(features: PooledFeatures, horizon: number): number[] {
    const out: number[] = [];
    let logLast = features.logLast;
    for (let h = 1; h <= horizon; h++) {
      this.load(logLast, {
        ...features,
        logLevel: features.logLevel + (h - 1) * features.logTrend,
      });
      logLast = this.dot();
      out.push(Math.max(0, Math.expm1(logLast)));
    }
    return out;
  }

  private load(logLast: number, features: PooledFeatures): void {
    this.x[0] = 1;
    this.x[1] = logLast;
    this.x[2] = features.logLevel;
    this.x[3] = features.logTrend;
  }

  private dot(): number {
    let sum = 0;
    for (let i = 0; i < FEATURES; i++) sum += (this.weights[i] ?? 0) * (this.x[i] ?? 0);
    return sum;
  }
}
