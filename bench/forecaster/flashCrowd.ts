// Flash-crowd detection on the NAB AWS ELB request counts, scored against NAB's labelled windows.
// The series is replayed, window by window, through the SeriesForecaster the service runs; every
// window it flags as a flash crowd is an alarm.
// Run: pnpm exec tsx bench/forecaster/flashCrowd.ts
import { readFileSync } from 'node:fs';
import { parseSeriesCsv, SeriesForecaster } from '../../services/forecaster/src/index.js';
import { requireData } from './dataDir.js';

const paths = requireData('nab-aws-elb-requests/series.csv', 'nab-aws-elb-requests/nab_anomaly_windows.json');
if (paths === undefined) process.exit(0);
const [seriesPath = '', windowsPath = ''] = paths;
const series = parseSeriesCsv(readFileSync(seriesPath, 'utf8'), 'nab-aws-elb-requests');
const labels = (JSON.parse(readFileSync(windowsPath, 'utf8')) as { windows: [string, string][] }).windows.map(
  ([from, to]) => ({
    fromMs: Date.parse(`${from.replace(' ', 'T')}Z`),
    toMs: Date.parse(`${to.replace(' ', 'T')}Z`),
  }),
);

const forecaster = new SeriesForecaster({ horizonSteps: 12, minChange: 0.1 });
const alarms: number[] = [];
series.values.forEach((value, i) => {
  if (Number.isNaN(value)) return; // a gap: no window closed
  const windowStartMs = series.startMs + i * series.stepMs;
  const forecast = forecaster.observe(
    { resource: 'elb', cluster: 'aws', windowStartMs, windowMs: series.stepMs, count: value },
    windowStartMs + series.stepMs,
  );
  if (forecast?.flashCrowd === true) alarms.push(windowStartMs);
});

// An alarm within one labelled window counts for it; consecutive alarms outside windows less than an
// hour apart are one false alarm (one page to an operator, not twelve).
const HOUR_MS = 3_600_000;
const inside = (ts: number) => labels.findIndex((w) => ts >= w.fromMs && ts <= w.toMs);
const spanDays = (series.values.length * series.stepMs) / 86_400_000;
let falseAlarms = 0;
let lastFalse = -Infinity;
for (const ts of alarms) {
  if (inside(ts) >= 0) continue;
  if (ts - lastFalse > HOUR_MS) falseAlarms++;
  lastFalse = ts;
}
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
process.stdout.write(
  `series: ${series.values.length} windows of ${series.stepMs / 60000} min over ${spanDays.toFixed(1)} days; ${alarms.length} windows flagged\n`,
);
let detected = 0;
labels.forEach((w, n) => {
  let peakMs = w.fromMs;
  let peak = -Infinity;
  series.values.forEach((v, i) => {
    const ts = series.startMs + i * series.stepMs;
    if (ts >= w.fromMs && ts <= w.toMs && v > peak) {
      peak = v;
      peakMs = ts;
    }
  });
  const first = alarms.find((ts) => ts >= w.fromMs && ts <= w.toMs);
  if (first !== undefined) detected++;
  const lead =
    first === undefined
      ? 'not flagged'
      : `first flag ${iso(first)}: ${((peakMs - first) / 60000).toFixed(0)} min before the peak, ${((first - w.fromMs) / 60000).toFixed(0)} min after the window opens`;
  process.stdout.write(
    `window ${n + 1} ${iso(w.fromMs)} .. ${iso(w.toMs)} (peak ${peak} at ${iso(peakMs)}): ${lead}\n`,
  );
});
process.stdout.write(`labelled windows flagged: ${detected}/${labels.length}\n`);
process.stdout.write(
  `false alarms (outside labelled windows, 1 h grouping): ${falseAlarms} = ${(falseAlarms / spanDays).toFixed(2)} per day\n`,
);
