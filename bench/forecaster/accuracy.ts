// Forecast accuracy on real series: every PDME model (as `pdme forecast evaluate --json` computes it)
// next to statsmodels' ExponentialSmoothing run in the same process tree, same protocol.
// Run: pnpm exec tsx bench/forecaster/accuracy.ts   (needs Debian's python3-statsmodels)
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateFiles } from '../../packages/cli/src/forecast/evaluateFiles.js';
import { requireData } from './dataDir.js';

const files = requireData('nab-aws-elb-requests/series.csv', 'wikipedia-peyton-manning/series.csv');
if (files === undefined) process.exit(0);
const PYTHON = '/usr/bin/python3'; // Debian's, where apt installs statsmodels

interface Row {
  readonly series: string;
  readonly model: string;
  readonly mase: number;
  readonly wape: number;
  readonly coverage90: number;
  readonly note: string;
}

const started = Date.now();
const ours = await evaluateFiles(files, { holdout: 0.2 });
const oursMs = Date.now() - started;
const script = join(dirname(fileURLToPath(import.meta.url)), 'statsmodelsEts.py');
let reference: { file: string; mase: number; wape: number }[] = [];
try {
  const out = execFileSync(PYTHON, [script, ...files, '--holdout', '0.2'], { encoding: 'utf8' });
  reference = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { file: string; mase: number; wape: number });
} catch (error) {
  process.stderr.write(
    `statsmodels reference failed (apt-get install -y python3-statsmodels): ${String(error)}\n`,
  );
}

const rows: Row[] = [];
for (const e of ours) {
  for (const m of e.models) {
    rows.push({
      series: e.series,
      model: m.model,
      mase: m.mase,
      wape: m.wape,
      coverage90: m.coverage90,
      note: e.selected.includes(m.model) ? 'in selection' : '',
    });
  }
  rows.push({
    series: e.series,
    model: 'SELECTED: mean of top 2-5 by training backtest',
    ...e.selectedScore,
    note: e.selected.join(' + '),
  });
  rows.push({
    series: e.series,
    model: 're-selected as errors drift',
    ...e.adaptiveScore,
    coverage90: Number.NaN,
    note: '',
  });
  const ref = reference.find((r) => r.file === e.file);
  if (ref !== undefined) {
    rows.push({
      series: e.series,
      model: 'statsmodels ETS log1p (damped add trend, add season)',
      mase: ref.mase,
      wape: ref.wape,
      coverage90: Number.NaN,
      note: 'reference',
    });
  }
}
const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '  -  ');
const width = Math.max(...rows.map((r) => r.model.length));
process.stdout.write(`${'series'.padEnd(40)}${'model'.padEnd(width)}   MASE   WAPE  p90cov\n`);
for (const r of rows) {
  process.stdout.write(
    `${r.series.padEnd(40)}${r.model.padEnd(width)}  ${f(r.mase)}  ${f(r.wape)}  ${f(r.coverage90)}  ${r.note}\n`,
  );
}
process.stdout.write(
  `\nours: ${oursMs} ms for ${ours.length} series; protocol: last 20% held out, origin every horizon (12 / 7), season 288 / 7\n`,
);
for (const e of ours) {
  const ref = reference.find((r) => r.file === e.file);
  const best = Math.min(...e.models.filter((m) => m.model.includes('naive')).map((m) => m.mase));
  process.stdout.write(
    `${e.series}: selected (${e.selected.join(' + ')}) MASE ${f(e.selectedScore.mase)} vs best naive ${f(best)}` +
      (ref === undefined ? '' : ` vs statsmodels ${f(ref.mase)}`) +
      ` -> ${e.selectedScore.mase < best && (ref === undefined || e.selectedScore.mase < ref.mase) ? 'beats both' : 'does NOT beat both'}\n`,
  );
}
