import {
  AccuracyReportSchema,
  LatencyReportSchema,
  accuracyRatios,
  addTotals,
  freshEntries,
  type AccuracyRatios,
  type AccuracyTotals,
} from '@pdme/common/stats-reports';
import type { LatencySummary, ModelAccuracy, PredictionAccuracy } from '@pdme/common/proto';
import type { StatsFilter } from './statsFilter.js';

export interface ModelAccuracyRow extends AccuracyRatios {
  readonly model: string;
}

export interface SeriesAccuracyRow extends AccuracyRatios {
  readonly resource: string;
  readonly cluster: string;
  /** The model in charge of the series now. */
  readonly model: string;
  /** Queries scored so far (the sum of the actuals). */
  readonly volume: number;
  /** Queries lately (decayed, halving every 12 windows): what ranks series. */
  readonly recentVolume: number;
}

/** Prediction accuracy as the forecaster instances report it (one-step-ahead, per closed window). */
export interface AccuracyOverview {
  /** Every model together, then one row per model (by the model in charge when each forecast was made). */
  readonly overall: AccuracyRatios;
  readonly byModel: ModelAccuracyRow[];
  /** The series busiest lately among those reported (top-N per instance), filtered, busiest first. */
  readonly series: SeriesAccuracyRow[];
  /** Series with model state over all reporting instances. */
  readonly seriesTracked: number;
  readonly instances: number;
  /** When the newest report was written; null without any fresh report. */
  readonly reportedMs: number | null;
}

export interface ServiceLatency {
  readonly service: string;
  readonly instance: string;
  readonly name: string;
  readonly description: string;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly count: number;
  readonly spanMs: number;
  readonly atMs: number;
}

/** No fresh report: what the stats show before any forecaster has written one. */
export function noAccuracy(): AccuracyOverview {
  const overall = { mase: null, wape: null, coverage90: null, points: 0 };
  return { overall, byModel: [], series: [], seriesTracked: 0, instances: 0, reportedMs: null };
}

const ZERO: AccuracyTotals = { absError: 0, absActual: 0, naiveError: 0, covered: 0, points: 0 };

/** Locale-independent ordering, so answers are the same on every host. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sums the fresh forecaster reports (each instance holds its own series, so totals add up), then
 * derives MASE, WAPE and coverage. Series are narrowed by the filter's cluster and resource.
 */
export function predictionAccuracy(
  hash: ReadonlyMap<string, string>,
  filter: StatsFilter,
  options: { nowMs: number; maxSeries: number; onInvalid: (field: string) => void },
): AccuracyOverview {
  const { entries, invalid } = freshEntries(AccuracyReportSchema, hash, options.nowMs);
  invalid.forEach(options.onInvalid);
  const models = new Map<string, AccuracyTotals>();
  let all = ZERO;
  const series: SeriesAccuracyRow[] = [];
  for (const report of entries) {
    for (const { model, ...totals } of report.byModel) {
      models.set(model, addTotals(models.get(model) ?? ZERO, totals));
      all = addTotals(all, totals);
    }
    for (const { resource, cluster, model, recentVolume, ...totals } of report.topSeries) {
      if (filter.cluster !== undefined && cluster !== filter.cluster) continue;
      if (filter.resource !== undefined && resource !== filter.resource) continue;
      series.push({
        resource,
        cluster,
        model,
        volume: totals.absActual,
        recentVolume,
        ...accuracyRatios(totals),
      });
    }
  }
  series.sort(
    (a, b) =>
      b.recentVolume - a.recentVolume || byText(a.cluster, b.cluster) || byText(a.resource, b.resource),
  );
  return {
    overall: accuracyRatios(all),
    byModel: [...models]
      .sort(([a], [b]) => byText(a, b))
      .map(([model, totals]) => ({ model, ...accuracyRatios(totals) })),
    series: series.slice(0, options.maxSeries),
    seriesTracked: entries.reduce((n, r) => n + r.series, 0),
    instances: entries.length,
    reportedMs: entries.length === 0 ? null : Math.max(...entries.map((r) => r.atMs)),
  };
}

/** Fresh latency summaries of every service that writes them, by service, name and instance. */
export function serviceLatencies(
  hash: ReadonlyMap<string, string>,
  options: { nowMs: number; onInvalid: (field: string) => void },
): ServiceLatency[] {
  const { entries, invalid } = freshEntries(LatencyReportSchema, hash, options.nowMs);
  invalid.forEach(options.onInvalid);
  return entries
    .map(({ freshForMs: _fresh, ...summary }) => summary)
    .sort((a, b) => byText(a.service, b.service) || byText(a.name, b.name) || byText(a.instance, b.instance));
}

const orNaN = (value: number | null) => value ?? Number.NaN;
const wireUint = (value: number) => (Number.isFinite(value) && value > 0 ? Math.round(value) : 0);
const wireInt = (value: number) => (Number.isFinite(value) ? Math.round(value) : 0);

function toProtoModel(model: string, ratios: AccuracyRatios): ModelAccuracy {
  return {
    model,
    mase: orNaN(ratios.mase),
    wape: orNaN(ratios.wape),
    coverage90: orNaN(ratios.coverage90),
    points: wireUint(ratios.points),
  };
}

/** The proto form: NaN for undefined ratios, integers made wire-safe. */
export function toProtoAccuracy(accuracy: AccuracyOverview): PredictionAccuracy {
  return {
    overall: toProtoModel('all', accuracy.overall),
    byModel: accuracy.byModel.map((m) => toProtoModel(m.model, m)),
    series: accuracy.series.map((s) => ({
      ...toProtoModel(s.model, s),
      resource: s.resource,
      cluster: s.cluster,
      volume: s.volume,
      recentVolume: s.recentVolume,
    })),
    seriesTracked: wireUint(accuracy.seriesTracked),
    instances: wireUint(accuracy.instances),
    reportedMs: wireInt(accuracy.reportedMs ?? 0),
  };
}

export function toProtoLatencies(latencies: readonly ServiceLatency[]): LatencySummary[] {
  return latencies.map((l) => ({
    service: l.service,
    instance: l.instance,
    name: l.name,
    p50Ms: orNaN(l.p50Ms),
    p99Ms: orNaN(l.p99Ms),
    count: wireUint(l.count),
    spanMs: wireInt(l.spanMs),
    atMs: wireInt(l.atMs),
  }));
}
