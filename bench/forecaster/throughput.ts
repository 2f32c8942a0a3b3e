// Live forecaster throughput and memory: series updates per second (a closed window through
// SeriesForecaster.observe), forecast latency p50/p99, and bytes of memory per series.
// Run: node --expose-gc --import tsx bench/forecaster/throughput.ts [seriesCount...]   (default 100000 1000000)
import { SeriesForecaster } from '../../services/forecaster/src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  process.stderr.write('run with node --expose-gc --import tsx bench/forecaster/throughput.ts\n');
  process.exit(2);
}
const collect = gc;
const counts = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const WINDOW_MS = 60_000;
const ROUNDS = 3;

/** Heap plus typed-array backing stores (which live outside the V8 heap). */
function used(): number {
  collect();
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

for (const n of counts.length > 0 ? counts : [100_000, 1_000_000]) {
  const resources = Array.from({ length: n }, (_, i) => `r${i}.cdn.pdme.test`);
  const before = used();
  const forecaster = new SeriesForecaster({ horizonSteps: 12, minChange: 0.1 });
  let seed = 1;
  const noise = () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const latencies = new Float64Array(n);
  let updateSeconds = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const t0 = round === ROUNDS - 1 ? process.hrtime.bigint() : 0n;
      forecaster.observe(
        {
          resource: resources[i] ?? '',
          cluster: `c${i % 4}`,
          windowStartMs: round * WINDOW_MS,
          windowMs: WINDOW_MS,
          count: Math.floor(noise() * 20),
        },
        (round + 1) * WINDOW_MS,
      );
      if (round === ROUNDS - 1) latencies[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    updateSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  }
  const after = used();
  latencies.sort();
  const perSeries = (after - before) / n;
  process.stdout.write(
    `${n} series: ${Math.round(n / updateSeconds)} updates/s (a full update of all series in ${updateSeconds.toFixed(2)} s, ` +
      `window ${WINDOW_MS / 1000} s); observe+forecast latency p50 ${percentile(latencies, 0.5).toFixed(2)} µs, ` +
      `p99 ${percentile(latencies, 0.99).toFixed(2)} µs; memory ${Math.round(perSeries)} B/series ` +
      `(${((after - before) / 2 ** 20).toFixed(0)} MiB; series keys included)\n`,
  );
  if (forecaster.seriesCount !== n) throw new Error(`expected ${n} series, got ${forecaster.seriesCount}`);
  resources.length = 0;
}
