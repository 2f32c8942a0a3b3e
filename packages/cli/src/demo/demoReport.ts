import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeDemoHitRatioPng, writeForecastPng } from './demoPlots.js';
import type { ReplayDemoResult } from './replayDemo.js';
import { forecastSeries, percentile, topSeries, type RunSummary } from './runSummary.js';

/** Each run's bookkeeping: every planned request has one record, one outcome and one bucket. */
export interface Accounting {
  readonly mode: RunSummary['mode'];
  readonly planned: number;
  readonly recorded: number;
  readonly uniqueIds: number;
  readonly outcomeSum: number;
  readonly bucketSum: number;
  readonly balanced: boolean;
}

export interface DemoReport {
  readonly runId: string;
  readonly stackMs: number;
  readonly baseline: string;
  readonly workload: ReplayDemoResult['workload'];
  readonly comparison: {
    readonly hitRatio: { readonly reactive?: number; readonly pdme?: number; readonly gain?: number };
    readonly originRequests: { readonly reactive?: number; readonly pdme?: number };
    readonly originBytes: { readonly reactive?: number; readonly pdme?: number };
    readonly traceBytesMissed: { readonly reactive?: number; readonly pdme?: number };
    readonly dnsChanges: number;
    readonly mirrorsCreated: number;
    readonly mirrorsRemoved: number;
    readonly lateMirrors: number;
    /** Mirrors (with PDME) visible before the first request for their name in their cluster. */
    readonly mirrorsBeforeDemand: number;
    readonly mirrorsVisible: number;
    readonly leadMs: { readonly p50?: number; readonly min?: number; readonly max?: number };
    readonly signalToVisibleMs: { readonly n: number; readonly p50?: number; readonly p99?: number };
    readonly announcedCrowdLeadMs: readonly number[];
    readonly unannouncedCrowdLeadMs: readonly number[];
  };
  readonly runs: readonly RunSummary[];
  readonly accounting: readonly Accounting[];
  readonly loadAverage: readonly number[];
  readonly configRestored: boolean;
  readonly files: { readonly json?: string; readonly hitRatioPng?: string; readonly forecastPng?: string };
}

export const BASELINE =
  'Without PDME: the same replay with decision.paused = true (no new mirrors), on names of its own. Every DNS answer ' +
  "is then the zone's wildcard (the origin's address), and the demo's clients treat it as their cluster's edge cache " +
  '(the first cache server of the cluster), so caches only react: each miss fetches from the origin and caches.';

function accounting(result: ReplayDemoResult, run: RunSummary): Accounting {
  const records = result.records.get(run.mode) ?? [];
  const outcomeSum = run.outcomes.hit + run.outcomes.miss + run.outcomes.error;
  const bucketSum = run.buckets.reduce((sum, b) => sum + b.requests, 0);
  const bucketOutcomes = run.buckets.every((b) => b.hit + b.miss + b.error === b.requests);
  const uniqueIds = new Set(records.map((r) => r.id)).size;
  return {
    mode: run.mode,
    planned: run.planned,
    recorded: records.length,
    uniqueIds,
    outcomeSum,
    bucketSum,
    balanced:
      bucketOutcomes &&
      records.length === run.planned &&
      uniqueIds === run.planned &&
      outcomeSum === run.planned &&
      bucketSum === run.planned,
  };
}

/** The figures of the demo, computed from what the runs measured. */
export function buildReport(result: ReplayDemoResult, stackMs: number): DemoReport {
  const reactive = result.runs.find((r) => r.mode === 'reactive');
  const pdme = result.runs.find((r) => r.mode === 'pdme');
  const mirrors = pdme?.mirrors ?? [];
  const visible = mirrors.filter((m) => m.visibleMs !== undefined);
  const leads = visible.map((m) => m.leadMs).filter((l): l is number => l !== undefined);
  const s2v = visible.map((m) => m.signalToVisibleMs).filter((l): l is number => l !== undefined);
  const crowdLeads = (announced: boolean): number[] =>
    (pdme?.crowds ?? [])
      .filter((c) => c.announced === announced)
      .flatMap((c) => c.clusters.map((k) => k.leadMs))
      .filter((l): l is number => l !== undefined);
  const pair = <T>(pick: (run: RunSummary) => T): { reactive?: T; pdme?: T } => ({
    ...(reactive === undefined ? {} : { reactive: pick(reactive) }),
    ...(pdme === undefined ? {} : { pdme: pick(pdme) }),
  });
  return {
    runId: result.runId,
    stackMs,
    baseline: BASELINE,
    workload: result.workload,
    comparison: {
      hitRatio: {
        ...pair((r) => r.hitRatio),
        ...(reactive !== undefined && pdme !== undefined ? { gain: pdme.hitRatio - reactive.hitRatio } : {}),
      },
      originRequests: pair((r) => r.origin.requests),
      originBytes: pair((r) => r.origin.bytes),
      traceBytesMissed: pair((r) => r.traceBytesMissed),
      dnsChanges: pdme?.pipeline.dnsChanges ?? 0,
      mirrorsCreated: pdme?.pipeline.mirrorsCreated ?? 0,
      mirrorsRemoved: pdme?.pipeline.mirrorsRemoved ?? 0,
      lateMirrors: pdme?.pipeline.lateMirrors ?? 0,
      mirrorsBeforeDemand: leads.filter((l) => l > 0).length,
      mirrorsVisible: visible.length,
      leadMs: {
        ...optional('p50', percentile(leads, 50)),
        ...optional('min', leads.length === 0 ? undefined : Math.min(...leads)),
        ...optional('max', leads.length === 0 ? undefined : Math.max(...leads)),
      },
      signalToVisibleMs: {
        n: s2v.length,
        ...optional('p50', percentile(s2v, 50)),
        ...optional('p99', percentile(s2v, 99)),
      },
      announcedCrowdLeadMs: crowdLeads(true),
      unannouncedCrowdLeadMs: crowdLeads(false),
    },
    runs: result.runs,
    accounting: result.runs.map((run) => accounting(result, run)),
    loadAverage: result.loadAverage,
    configRestored: result.configRestored,
    files: {},
  };
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** Writes report.json, hit-ratio.png and forecast.png into `dir`; returns the report with their paths. */
export async function writeReportFiles(
  dir: string,
  report: DemoReport,
  result: ReplayDemoResult,
): Promise<DemoReport> {
  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  const hitRatioPng = join(out, 'hit-ratio.png');
  const forecastPng = join(out, 'forecast.png');
  await writeDemoHitRatioPng(
    hitRatioPng,
    report.runs,
    `pdme demo ${report.runId}: hit ratio over trace time`,
  );
  const pdme = report.runs.find((r) => r.mode === 'pdme') ?? report.runs[0];
  const records = pdme === undefined ? [] : (result.records.get(pdme.mode) ?? []);
  const crowdPairs = (pdme?.crowds ?? []).flatMap((c) =>
    c.clusters.slice(0, 1).map((k) => ({ resource: c.resource, cluster: k.cluster })),
  );
  const top = topSeries(records, 2).filter(
    (t) => !crowdPairs.some((c) => c.resource === t.resource && c.cluster === t.cluster),
  );
  const series = forecastSeries(
    records,
    result.watch.forecasts,
    result.windowMs,
    [...crowdPairs, ...top].slice(0, 4),
  );
  await writeForecastPng(
    forecastPng,
    series,
    Math.floor((pdme?.startedMs ?? 0) / result.windowMs) * result.windowMs,
    `pdme demo ${report.runId}: forecast against actual (${pdme?.mode === 'pdme' ? 'with PDME' : 'caches only'})`,
  );
  const json = join(out, 'report.json');
  const withFiles: DemoReport = { ...report, files: { json, hitRatioPng, forecastPng } };
  await writeFile(json, `${JSON.stringify({ ...withFiles, forecastSeries: series }, null, 2)}\n`);
  return withFiles;
}

const pct = (v: number | undefined): string => (v === undefined ? '-' : `${(100 * v).toFixed(1)} %`);
const secs = (v: number | undefined): string => (v === undefined ? '-' : `${(v / 1000).toFixed(2)} s`);

/** The report as text for the terminal. */
export function reportLines(report: DemoReport): string[] {
  const c = report.comparison;
  const w = report.workload;
  const lines = [
    '',
    `PDME demo ${report.runId}: ${w.requestsPerRun} requests per run, ${w.objects} names, ` +
      `${w.source === 'generated' ? 'generated workload (fitted to real traces)' : `trace ${w.trace ?? ''}`}, speed ${w.speed.toFixed(0)}x` +
      (w.sampled < 1 ? `, sampled ${(100 * w.sampled).toFixed(1)} % of ${w.traceRequests}` : ''),
    ...w.crowds.map(
      (k) =>
        `  crowd ${k.object} (${k.announced ? 'announced' : 'unannounced'}): ${k.requests} requests, ${k.startS.toFixed(1)}-${k.endS.toFixed(1)} s`,
    ),
    '',
    `                          caches only   with PDME`,
    `  hit ratio               ${pct(c.hitRatio.reactive).padStart(11)}   ${pct(c.hitRatio.pdme).padStart(9)}`,
    `  origin fetches          ${String(c.originRequests.reactive ?? '-').padStart(11)}   ${String(c.originRequests.pdme ?? '-').padStart(9)}   (origin access log, warming included)`,
    `  origin bytes            ${String(c.originBytes.reactive ?? '-').padStart(11)}   ${String(c.originBytes.pdme ?? '-').padStart(9)}`,
    `  trace bytes missed      ${String(c.traceBytesMissed.reactive ?? '-').padStart(11)}   ${String(c.traceBytesMissed.pdme ?? '-').padStart(9)}   (trace object sizes of the misses)`,
    '',
    `  hit ratio gain          ${c.hitRatio.gain === undefined ? '-' : `${(100 * c.hitRatio.gain).toFixed(1)} points`}`,
    `  mirrors                 +${c.mirrorsCreated} -${c.mirrorsRemoved}, ${c.dnsChanges} DNS changes, ${c.lateMirrors} late`,
    `  live before demand      ${c.mirrorsBeforeDemand} of ${c.mirrorsVisible} visible mirrors; lead p50 ${secs(c.leadMs.p50)} (min ${secs(c.leadMs.min)}, max ${secs(c.leadMs.max)})`,
    `  announced crowd lead    ${c.announcedCrowdLeadMs.map(secs).join(', ') || '-'}`,
    `  unannounced crowd lead  ${c.unannouncedCrowdLeadMs.map(secs).join(', ') || '-'}  (negative: the CNAME came after the crowd's first request)`,
    `  signal to visible       p50 ${secs(c.signalToVisibleMs.p50)}, p99 ${secs(c.signalToVisibleMs.p99)} over ${c.signalToVisibleMs.n} mirrors (first query or announcement -> CNAME seen by a DNS poll)`,
    `  accounting              ${report.accounting.map((a) => `${a.mode}: ${a.outcomeSum}/${a.planned} ${a.balanced ? 'ok' : 'MISMATCH'}`).join(', ')}`,
    `  errors                  ${report.runs.map((r) => `${r.mode} ${r.outcomes.error}`).join(', ')}; send lag p50 ${report.runs.map((r) => `${r.sendLagMs.p50.toFixed(0)} ms`).join('/')}`,
    `  load average            ${report.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
    '',
    `  ${report.baseline}`,
  ];
  if (!report.configRestored)
    lines.push('  WARNING: decision.paused was not restored; check GET /pdme/config');
  if (report.files.json !== undefined) {
    lines.push(
      '',
      `  report ${report.files.json}`,
      `  plots  ${report.files.hitRatioPng ?? ''}`,
      `         ${report.files.forecastPng ?? ''}`,
    );
  }
  return lines;
}
