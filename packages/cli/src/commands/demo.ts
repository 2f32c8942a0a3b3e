import type { Command } from 'commander';
import { runWalkingSkeleton } from '../demo/walkingSkeleton.js';
import { stackUp } from '../stack/stack.js';
import { note, say } from './output.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'start the local stack if needed and send a flash crowd for one resource through the whole pipeline',
    )
    .option('--resource <name>', 'the DNS name the crowd asks for', 'video1.cdn.pdme.test')
    .option('--queries <n>', 'how many queries the crowd sends', '120')
    .option('--timeout <seconds>', 'how long to wait for the CNAME', '90')
    .option('--json', 'print the report as JSON', false)
    .action(async (options: { resource: string; queries: string; timeout: string; json: boolean }) => {
      const queries = Number(options.queries);
      const timeout = Number(options.timeout);
      if (!Number.isInteger(queries) || queries < 1)
        throw new Error(`--queries must be a positive integer, got ${options.queries}`);
      if (!(timeout > 0))
        throw new Error(`--timeout must be a positive number of seconds, got ${options.timeout}`);
      const stackStarted = Date.now();
      const state = await stackUp({ log: note });
      const stackMs = Date.now() - stackStarted;
      const report = await runWalkingSkeleton(state, {
        resource: options.resource.toLowerCase(),
        queries,
        timeoutMs: timeout * 1000,
        log: note,
      });
      if (options.json) {
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
    });
}
