import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { PdmeError } from '@pdme/common/errors';
import { formatCapacity, parseCapacity, resolveCapacity, type CapacitySpec } from '../sim/capacitySpec.js';
import { parseDuration } from '../sim/duration.js';
import { FLASH_CROWD_DEFAULTS, writeFlashCrowdTrace } from '../sim/flashCrowd.js';
import { writeHitRatioPng } from '../sim/hitRatioPlot.js';
import { DEFAULT_POLICIES, parsePolicies, POLICIES } from '../sim/policies/policyNames.js';
import { readTrace } from '../sim/readTrace.js';
import { replay, type PolicyResult } from '../sim/replay.js';
import { formatTable, toRow } from '../sim/resultTable.js';
import type { Trace } from '../sim/trace.js';
import { note, say } from './output.js';

interface SimOptions {
  trace?: string;
  policy: string;
  capacity?: string;
  capacityBytes?: string;
  warmup: string;
  window: string;
  horizon: string;
  singleCluster: boolean;
  json: boolean;
  plot?: string;
  generate?: string;
  out?: string;
  seed: string;
}

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description(
      'replay a request trace through the forecaster and placement policies in process and compare hit ratios',
    )
    .option('--trace <file>', 'CSV (gzip accepted): ts,resource[,bytes][,cluster|client_group]')
    .option(
      '--policy <names>',
      `comma-separated: ${Object.keys(POLICIES).join(', ')}`,
      DEFAULT_POLICIES.join(','),
    )
    .option(
      '--capacity <n|p%>',
      'cache room in objects, or % of distinct objects; a list such as 1%,5%,10% runs each',
    )
    .option('--capacity-bytes <n|p%>', "cache room in bytes, or % of the distinct objects' bytes")
    .option('--warmup <p%>', 'the first P% of requests only teach; the rest are scored', '25%')
    .option('--window <duration>', 'forecast window (10m, 30s, 1h)', '10m')
    .option('--horizon <steps>', 'forecast steps ahead', '3')
    .option('--single-cluster', 'ignore the cluster column: one cache for the whole trace', false)
    .option('--json', 'print the tables as JSON', false)
    .option('--plot <out.png>', 'draw hit ratio over time per policy (first capacity)')
    .option('--generate <workload>', 'write a synthetic trace instead (flash-crowd) to --out')
    .option('--out <file>', 'where --generate writes (gzip CSV)')
    .option('--seed <n>', 'seed of the generated workload', '1')
    .action(async (options: SimOptions) => {
      if (options.generate !== undefined) {
        await generate(options);
        return;
      }
      await simulate(options);
    });
}

async function generate(options: SimOptions): Promise<void> {
  if (options.generate !== 'flash-crowd') {
    throw new PdmeError('BAD_INPUT', `unknown workload ${options.generate ?? ''} (known: flash-crowd)`);
  }
  if (options.out === undefined) throw new PdmeError('BAD_INPUT', '--generate needs --out FILE');
  const seed = Number(options.seed);
  if (!Number.isInteger(seed))
    throw new PdmeError('BAD_INPUT', `--seed must be an integer, got ${options.seed}`);
  const rows = await writeFlashCrowdTrace(options.out, { ...FLASH_CROWD_DEFAULTS, seed });
  note(`wrote ${rows} requests to ${options.out}`);
}

async function simulate(options: SimOptions): Promise<void> {
  if (options.trace === undefined) throw new PdmeError('BAD_INPUT', 'sim needs --trace FILE (or --generate)');
  if (options.capacity === undefined && options.capacityBytes === undefined) {
    throw new PdmeError('BAD_INPUT', 'sim needs --capacity and/or --capacity-bytes');
  }
  const policies = parsePolicies(options.policy);
  const warmup = parsePercent(options.warmup, '--warmup');
  const windowMs = parseDuration(options.window);
  const horizonSteps = Number(options.horizon);
  if (!Number.isInteger(horizonSteps) || horizonSteps < 1) {
    throw new PdmeError('BAD_INPUT', `--horizon must be a positive integer, got ${options.horizon}`);
  }
  const objectSpecs = splitList(options.capacity).map((text) => parseCapacity(text, '--capacity'));
  const byteSpecs = splitList(options.capacityBytes).map((text) => parseCapacity(text, '--capacity-bytes'));
  const runs = Math.max(objectSpecs.length, byteSpecs.length);

  const trace = await readWithProgress(options.trace, options.singleCluster);
  reportTrace(trace);
  const totalBytes = trace.objectSize.reduce((sum, size) => sum + size, 0);
  const tables: { capacity: string; results: PolicyResult[] }[] = [];
  for (let run = 0; run < runs; run++) {
    const objectSpec = objectSpecs[Math.min(run, objectSpecs.length - 1)];
    const byteSpec = byteSpecs[Math.min(run, byteSpecs.length - 1)];
    const capacityObjects =
      objectSpec === undefined ? Infinity : resolveCapacity(objectSpec, trace.objectNames.length);
    const capacityBytes = byteSpec === undefined ? Infinity : resolveCapacity(byteSpec, totalBytes);
    const label = describeCapacity(objectSpec, capacityObjects, byteSpec, capacityBytes);
    const bar = progressBar(`replay ${label}`);
    bar?.start(trace.tsMs.length, 0);
    const results = replay(trace, {
      policies,
      capacityObjects,
      capacityBytes,
      warmup,
      windowMs,
      horizonSteps,
      minChange: 0.1,
      onProgress: (done) => bar?.update(done),
    });
    bar?.stop();
    tables.push({ capacity: label, results });
  }
  const clusters = trace.clusterNames.length;
  if (options.json) {
    say(
      JSON.stringify(
        {
          trace: options.trace,
          report: trace.report,
          distinctObjects: trace.objectNames.length,
          clusters,
          warmup,
          windowMs,
          tables: tables.map((t) => ({ capacity: t.capacity, rows: t.results.map(toRow) })),
        },
        null,
        2,
      ),
    );
  } else {
    for (const table of tables) {
      say('');
      say(
        `capacity ${table.capacity}${clusters > 1 ? `, split over ${clusters} clusters` : ''}; ` +
          `${table.results[0]?.requests ?? 0} requests scored after ${(warmup * 100).toFixed(0)}% warm-up; ` +
          `${options.window} windows`,
      );
      say(formatTable(table.results.map(toRow)));
    }
  }
  const first = tables[0];
  if (options.plot !== undefined && first !== undefined) {
    await writeHitRatioPng(
      options.plot,
      first.results,
      `hit ratio per ${options.window} window, capacity ${first.capacity}`,
    );
    note(`plot written to ${options.plot}`);
  }
}

async function readWithProgress(path: string, singleCluster: boolean): Promise<Trace> {
  const bar = progressBar('read');
  let started = false;
  const trace = await readTrace(path, {
    singleCluster,
    onProgress: (read, total) => {
      if (!started) bar?.start(total, 0);
      started = true;
      bar?.update(read);
    },
  });
  bar?.stop();
  return trace;
}

/** A progress bar on stderr when it is a terminal; nothing when output is piped. */
function progressBar(label: string): SingleBar | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  return new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total}`,
    stream: process.stderr,
    clearOnComplete: true,
    hideCursor: true,
  });
}

function reportTrace(trace: Trace): void {
  const { report } = trace;
  note(
    `trace: ${report.kept} requests, ${trace.objectNames.length} objects, ${trace.clusterNames.length} cluster(s)` +
      `${report.clusterColumn === undefined ? '' : ` from column ${report.clusterColumn}`}` +
      `${trace.hasBytes ? '' : ', no byte counts (size 1 each)'}`,
  );
  if (report.malformed > 0) {
    note(`  ${report.malformed} malformed row(s) skipped, e.g. ${report.examples.join('; ')}`);
  }
  if (report.unsorted > 0) note(`  ${report.unsorted} row(s) out of time order, sorted into place`);
}

function describeCapacity(
  objectSpec: CapacitySpec | undefined,
  objects: number,
  byteSpec: CapacitySpec | undefined,
  bytes: number,
): string {
  const parts: string[] = [];
  if (objectSpec !== undefined) parts.push(`${formatCapacity(objectSpec)} = ${objects} objects`);
  if (byteSpec !== undefined) parts.push(`${formatCapacity(byteSpec)} = ${bytes} bytes`);
  return parts.join(', ');
}

function splitList(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(',').filter((part) => part.trim() !== '');
}

function parsePercent(text: string, what: string): number {
  const value = Number(text.trim().replace(/%$/, ''));
  if (!(value >= 0 && value < 100))
    throw new PdmeError('BAD_INPUT', `${what} must be a percentage in [0, 100), got ${text}`);
  return value / 100;
}
