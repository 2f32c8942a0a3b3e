import type { Command } from 'commander';
import {
  buildReport,
  REPLAY_DEMO_DEFAULTS,
  reportLines,
  runReplayDemo,
  writeReportFiles,
} from '../demo/index.js';
import { LiveView } from '../demo/liveView.js';
import { runWalkingSkeleton } from '../demo/walkingSkeleton.js';
import { parseDuration } from '../sim/duration.js';
import { stackUp } from '../stack/stack.js';
import { note, say } from './output.js';

interface DemoFlags {
  trace?: string;
  speed?: string;
  duration: string;
  rate: string;
  maxRate: string;
  seed: string;
  out: string;
  only?: string;
  json: boolean;
  quick: boolean;
  resource: string;
  queries: string;
  timeout: string;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value))
    throw new Error(`${name} must be a positive number, got ${text}`);
  return value;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'start the local stack if needed and replay traffic through it twice, caches only and with PDME, then report',
    )
    .option(
      '--trace <file>',
      "replay a trace (the simulator's CSV, gzip accepted) instead of the generated workload",
    )
    .option('--speed <n>', 'trace seconds per real second (default: the whole trace fits --duration)')
    .option('--duration <d>', 'real time of each run (two runs): 45s, 2m', '45s')
    .option(
      '--rate <n>',
      'mean requests per second of the generated workload',
      String(REPLAY_DEMO_DEFAULTS.rate),
    )
    .option(
      '--max-rate <n>',
      'a replayed trace is sampled down to this many requests per second',
      String(REPLAY_DEMO_DEFAULTS.maxRate),
    )
    .option('--seed <n>', 'seed of the generated workload and of sampling', String(REPLAY_DEMO_DEFAULTS.seed))
    .option('--out <dir>', 'where report.json, hit-ratio.png and forecast.png go', '.pdme/demo')
    .option('--only <run>', 'one run only: pdme or reactive')
    .option('--json', 'print the report as JSON', false)
    .option('--quick', 'the walking skeleton instead: one crowd for one name, until its CNAME shows', false)
    .option('--resource <name>', '--quick: the DNS name the crowd asks for', 'video1.cdn.pdme.test')
    .option('--queries <n>', '--quick: how many queries the crowd sends', '120')
    .option('--timeout <seconds>', '--quick: how long to wait for the CNAME', '90')
    .action(async (flags: DemoFlags) => {
      if (flags.quick) {
        await quick(flags);
        return;
      }
      if (flags.only !== undefined && flags.only !== 'pdme' && flags.only !== 'reactive')
        throw new Error(`--only must be pdme or reactive, got ${flags.only}`);
      const durationMs = parseDuration(flags.duration);
      const stackStarted = Date.now();
      const state = await stackUp({ log: note });
      const stackMs = Date.now() - stackStarted;
      const tty = process.stderr.isTTY === true && process.env['CI'] === undefined;
      // Ctrl-C stops the replay but still restores decision.paused; a second one exits at once.
      const interrupt = new AbortController();
      const onSignal = (): void => {
        if (interrupt.signal.aborted) process.exit(130);
        note('demo: interrupted; restoring the live config (Ctrl-C again to exit now)');
        interrupt.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const result = await runReplayDemo(state, {
        ...REPLAY_DEMO_DEFAULTS,
        ...(flags.trace === undefined ? {} : { trace: flags.trace }),
        ...(flags.speed === undefined ? {} : { speed: positive('--speed', flags.speed) }),
        durationMs,
        rate: positive('--rate', flags.rate),
        maxRate: positive('--max-rate', flags.maxRate),
        seed: Math.floor(positive('--seed', flags.seed)),
        modes:
          flags.only === 'pdme'
            ? ['pdme']
            : flags.only === 'reactive'
              ? ['reactive']
              : REPLAY_DEMO_DEFAULTS.modes,
        log: note,
        view: new LiveView((text) => process.stderr.write(`${text}\n`), tty),
        signal: interrupt.signal,
      }).finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
      const report = await writeReportFiles(flags.out, buildReport(result, stackMs), result);
      if (flags.json) say(JSON.stringify(report, null, 2));
      else for (const line of reportLines(report)) say(line);
      say('');
      say('The stack keeps running: `pnpm pdme stack status`, `pnpm pdme stack down`.');
    });
}

async function quick(flags: DemoFlags): Promise<void> {
  const queries = Number(flags.queries);
  const timeout = Number(flags.timeout);
  if (!Number.isInteger(queries) || queries < 1)
    throw new Error(`--queries must be a positive integer, got ${flags.queries}`);
  if (!(timeout > 0)) throw new Error(`--timeout must be a positive number of seconds, got ${flags.timeout}`);
  const stackStarted = Date.now();
  const state = await stackUp({ log: note });
  const stackMs = Date.now() - stackStarted;
  const report = await runWalkingSkeleton(state, {
    resource: flags.resource.toLowerCase(),
    queries,
    timeoutMs: timeout * 1000,
    log: note,
  });
  if (flags.json) {
    say(JSON.stringify({ stackMs, ...report }, null, 2));
    return;
  }
  say('');
  say(`PDME demo: ${report.queriesSent} queries for ${report.resource} from cluster ${report.cluster}`);
  say(`  stack ready in        ${(stackMs / 1000).toFixed(1)} s`);
  say(`  before                ${report.before}`);
  say(`  forecast              ${JSON.stringify(report.forecast)}`);
  say(`  mirror                ${JSON.stringify(report.mirror)}`);
  say(`  after                 ${report.after}`);
  say(`  cache after the move  X-Cache-Status ${report.cacheStatusAfter ?? 'unknown'}`);
  say(
    `  signal to visible     ${(report.signalToVisibleMs / 1000).toFixed(1)} s (first query -> CNAME seen by dig)`,
  );
  say(`  dig answer:`);
  for (const line of report.digOutput.split('\n')) say(`    ${line}`);
  say('');
  say('The stack keeps running: `pnpm pdme stack status`, `pnpm pdme stack down`.');
}
