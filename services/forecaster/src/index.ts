// The forecaster's pure core, for the CLI (`pdme forecast evaluate`), `pdme sim` and benchmarks.
export {
  WindowCounter,
  type ClosedWindow,
  type CountableEvent,
  type WindowCounterOptions,
} from './windowCounter.js';
export { SeriesForecaster, type SeriesForecast, type SeriesForecasterOptions } from './seriesForecaster.js';
export type { ForecastModel, FittedForecaster, SeriesContext, ForecastPoint } from './models/model.js';
export { modelCatalog } from './models/catalog.js';
export {
  parseSeriesCsv,
  inferStepMs,
  seasonForStep,
  horizonForStep,
  type RegularSeries,
} from './evaluation/regularSeries.js';
export {
  evaluateSeries,
  type EvaluationOptions,
  type SeriesEvaluation,
  type ModelScore,
} from './evaluation/evaluateSeries.js';
export type { Accuracy } from './evaluation/accuracy.js';
