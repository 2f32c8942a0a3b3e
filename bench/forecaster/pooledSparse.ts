// The live pooled global model on sparse series: real request traces are cut into windows per
// resource and replayed through the SeriesForecaster the service runs, with the pooled model in
// charge of series with fewer than 12 windows, and without it (their own online models). Prints
// the one-step WAPE over the windows of sparse series (and of the others, unchanged).
// Run: pnpm exec tsx bench/forecaster/pooledSparse.ts
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { SeriesForecaster } from '../../services/forecaster/src/index.js';
import { requireData } from './dataDir.js';

const SPARSE = 12;
const traces = requireData('nasa-http-19950801/requests.csv.gz', 'zeek-dns-wrccdc2018/requests.csv.gz');
if (traces === undefined) process.exit(0);

/** window index -> resource -> requests in it. */
function windowsOf(file: string, windowS: number): Map<number, Map<string, number>> {
  const [head = '', ...rows] = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');
  const header = head.split(',');
  const tsAt = header.indexOf('ts');
  const resourceAt = header.indexOf('resource');
  const windows = new Map<number, Map<string, number>>();
  for (const row of rows) {
    const cols = row.split(',');
    const w = Math.floor(Number(cols[tsAt]) / windowS);
    const resource = cols[resourceAt] ?? '';
    let counts = windows.get(w);
    if (counts === undefined) windows.set(w, (counts = new Map<string, number>()));
    counts.set(resource, (counts.get(resource) ?? 0) + 1);
  }
  return windows;
}

function replay(windows: Map<number, Map<string, number>>, windowS: number, pooledSparseWindows: number) {
  const forecaster = new SeriesForecaster({
    horizonSteps: 1,
    minChange: 0,
    minAbsoluteChange: 0,
    pooledSparseWindows,
  });
  const seen = new Map<string, number>();
  const sparse = { error: 0, actual: 0, windows: 0 };
  const dense = { error: 0, actual: 0, windows: 0 };
  for (const w of [...windows.keys()].sort((a, b) => a - b)) {
    for (const [resource, count] of windows.get(w) ?? []) {
      const prior = seen.get(resource) ?? 0;
      const expected = forecaster.baseline(resource, 'c');
      if (expected !== undefined) {
        const bucket = prior < SPARSE ? sparse : dense;
        bucket.error += Math.abs(count - expected);
        bucket.actual += count;
        bucket.windows++;
      }
      forecaster.observe(
        { resource, cluster: 'c', windowStartMs: w * windowS * 1000, windowMs: windowS * 1000, count },
        (w + 1) * windowS * 1000,
      );
      seen.set(resource, prior + 1);
    }
  }
  return { sparse, dense, series: forecaster.seriesCount };
}

for (const [file, windowS] of [
  [traces[0] ?? '', 60],
  [traces[0] ?? '', 300],
  [traces[1] ?? '', 60],
] as const) {
  const windows = windowsOf(file, windowS);
  const name = file.split('/').at(-2) ?? file;
  for (const pooled of [0, SPARSE]) {
    const { sparse, dense, series } = replay(windows, windowS, pooled);
    process.stdout.write(
      `${name.padEnd(22)} ${String(windowS).padStart(3)} s windows, ${series} series, ` +
        `${pooled === 0 ? 'own models  ' : 'pooled <12 w'}: sparse-series WAPE ${(sparse.error / sparse.actual).toFixed(3)} ` +
        `(${sparse.windows} windows), other WAPE ${(dense.error / dense.actual).toFixed(3)}\n`,
    );
  }
}
