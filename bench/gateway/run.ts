/**
 * Gateway throughput against the running local stack (`pnpm pdme stack up` first):
 *   GET /pdme/stats with autocannon, then gRPC StatsService.GetStats from 50 concurrent clients.
 * Run: pnpm exec tsx bench/gateway/run.ts [--seconds 10] [--connections 50]
 * Prints requests per second and latency percentiles; needs the stack's read key (written at stack up).
 */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { readBootstrapKey } from '@pdme/common/auth';
import { readStackState } from '@pdme/cli/stack';
import { PdmeStatsClient } from '@pdme/gateway';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' } },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const state = readStackState();
if (state === undefined) throw new Error('bench/gateway needs the local stack: pnpm pdme stack up');
const key = readBootstrapKey(join(dirname(state.configFile), 'secrets'), 'pdme:read');
if (key === undefined) throw new Error('no read key in the stack secrets: run pnpm pdme stack up again');

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function httpBench(): Promise<void> {
  const result = await autocannon({
    url: `${state?.gateway.http}/pdme/stats`,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${key}` },
  });
  out(
    `HTTP GET /pdme/stats  connections=${connections} ${seconds}s: ` +
      `${result.requests.average.toFixed(0)} req/s (total ${result.requests.total}), ` +
      `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, ` +
      `2xx ${result['2xx']}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
  );
}

async function grpcBench(): Promise<void> {
  // One channel per client (no shared subchannel), as 50 separate programs would have.
  const clients = Array.from(
    { length: connections },
    () => new PdmeStatsClient({ address: state?.gateway.grpc ?? '', token: key }),
  );
  await Promise.all(clients.map((client) => client.getStats())); // connect and warm up
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < until) {
        const t0 = performance.now();
        try {
          await client.getStats();
          latencies.push(performance.now() - t0);
        } catch {
          failures++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  for (const client of clients) client.close();
  latencies.sort((a, b) => a - b);
  out(
    `gRPC GetStats        clients=${connections} ${seconds}s: ` +
      `${(latencies.length / elapsed).toFixed(0)} calls/s (total ${latencies.length}), ` +
      `latency p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, ` +
      `max ${percentile(latencies, 100).toFixed(2)} ms, failures ${failures}`,
  );
}

const snapshot = (await (
  await fetch(`${state.gateway.http}/pdme/stats`, { headers: { authorization: `Bearer ${key}` } })
).json()) as { mirrors: unknown[]; servers: unknown[]; forecasts: unknown[] };
out(
  `stack state: ${snapshot.mirrors.length} mirrors, ${snapshot.servers.length} servers, ` +
    `${snapshot.forecasts.length} forecasts per answer`,
);
await httpBench();
await grpcBench();
