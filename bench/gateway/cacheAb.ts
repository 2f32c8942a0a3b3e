/**
 * The snapshot cache's effect on GET /pdme/stats, measured fairly on a busy machine: the same gateway
 * app against the running stack's Redis, without and with CachedStatsSource, alternated round by round
 * (uncached, cached, uncached, cached, ...) so both see the same background load. Each server runs in
 * its own process; autocannon drives it with 50 connections.
 * Run: pnpm exec tsx bench/gateway/cacheAb.ts [--rounds 2] [--seconds 8] [--connections 50]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const serverScript = fileURLToPath(new URL('./cacheServer.ts', import.meta.url));

async function measure(mode: 'cached' | 'uncached'): Promise<{ rps: number; p99: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverScript, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, 'line')) as [string];
    const result = await autocannon({
      url: `http://127.0.0.1:${first.trim()}/pdme/stats`,
      connections,
      duration: seconds,
    });
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${mode}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
    process.stdout.write(
      `${mode.padEnd(8)} ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, ` +
        `p99 ${result.latency.p99} ms\n`,
    );
    return { rps: result.requests.average, p99: result.latency.p99 };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const results = {
  uncached: [] as { rps: number; p99: number }[],
  cached: [] as { rps: number; p99: number }[],
};
for (let round = 0; round < rounds; round++) {
  results.uncached.push(await measure('uncached'));
  results.cached.push(await measure('cached'));
}
for (const mode of ['uncached', 'cached'] as const) {
  const runs = results[mode];
  process.stdout.write(
    `${mode} (median of ${runs.length}): ${median(runs.map((r) => r.rps)).toFixed(0)} req/s, ` +
      `p99 ${median(runs.map((r) => r.p99))} ms\n`,
  );
}
