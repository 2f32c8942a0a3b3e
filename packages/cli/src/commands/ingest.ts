import { statSync } from 'node:fs';
import { INPUT_FORMATS, loadIngestToolEnv, runBackfillJob, type BackfillSummary } from '@pdme/ingest';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { stackPaths } from '../stack/paths.js';
import { readStackState, serviceEnv } from '../stack/stack.js';
import { note, say } from './output.js';

interface BackfillFlags {
  format: (typeof INPUT_FORMATS)[number] | 'auto';
  timeZone: 'utc' | 'local';
  defaultHost?: string;
  server?: string;
  batchSize: number;
  progress: boolean;
}

export function registerIngestCommand(program: Command): void {
  const ingest = program.command('ingest').description('feed query and access logs into PDME');
  ingest
    .command('backfill')
    .description('import historical logs into Kafka (dns-queries / access-logs), anonymized like live input')
    .argument('<files...>', 'log files (.gz is read too); - for stdin')
    .addOption(
      new Option('--format <format>', 'input format').choices([...INPUT_FORMATS, 'auto']).default('auto'),
    )
    .addOption(
      new Option('--time-zone <zone>', 'zone of BIND DD-Mon-YYYY times (BIND writes local time)')
        .choices(['local', 'utc'])
        .default('local'),
    )
    .option('--default-host <host>', 'nginx combined: Host of requests logged with a path only')
    .option('--server <id>', 'nginx: the cache server id that wrote these files')
    .option('--batch-size <n>', 'events per Kafka request', positiveInt, 2000)
    .option('--no-progress', 'no progress bar')
    .addHelpText(
      'after',
      '\nSettings come from the environment (PDME_CONFIG_FILE, KAFKA_BROKERS, PDME_ANON_SECRET_FILE),\n' +
        'else from the running local stack. Malformed lines go to <topic>.dlq with file:line and the\n' +
        'reason, client addresses masked. Exit code 1 when a file could not be read.',
    )
    .action(async (files: string[], flags: BackfillFlags) => {
      const paths = stackPaths();
      const state = readStackState(paths);
      const env = loadIngestToolEnv({
        ...(state === undefined ? {} : serviceEnv(state, paths)),
        ...process.env,
      });
      const total = files.reduce((sum, file) => sum + sizeOf(file), 0);
      const bar =
        flags.progress && total > 0
          ? new cliProgress.SingleBar(
              {
                format: 'backfill [{bar}] {percentage}% | {value}/{total} MiB | ETA {eta}s',
                stream: process.stderr,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
      bar?.start(mib(total), 0);
      const summary = await runBackfillJob({
        files,
        format: flags.format,
        timeZone: flags.timeZone,
        defaultHost: flags.defaultHost,
        server: flags.server,
        batchSize: flags.batchSize,
        env,
        logDestination: process.stderr,
        onProgress: (bytes) => bar?.update(mib(bytes)),
      });
      bar?.update(mib(total));
      bar?.stop();
      printSummary(summary);
      if (summary.files.some((file) => file.error !== undefined)) process.exitCode = 1;
    });
}

function printSummary(summary: BackfillSummary): void {
  const { counts } = summary;
  const seconds = summary.elapsedMs / 1000;
  const rejected = Object.values(counts.rejected).reduce((a, b) => a + b, 0);
  for (const file of summary.files) {
    if (file.error !== undefined) note(`backfill: ${file.path}: ${file.error}`);
  }
  say(`read         ${counts.read}`);
  say(`published    ${counts.published}`);
  say(`rejected     ${rejected} (dead-lettered ${counts.deadLettered})`);
  for (const [reason, count] of Object.entries(counts.rejected).sort((a, b) => b[1] - a[1])) {
    say(`  ${reason.padEnd(30)} ${count}`);
  }
  if (counts.skipped > 0) say(`skipped      ${counts.skipped} (headers, comments)`);
  say(`elapsed      ${seconds.toFixed(2)} s`);
  say(`rate         ${Math.round(counts.read / Math.max(seconds, 1e-3))} events/s`);
  say(`cpu          ${((summary.cpuMs * 1000) / Math.max(counts.read, 1)).toFixed(2)} µs/event`);
}

function sizeOf(file: string): number {
  if (file === '-') return 0;
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function mib(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}
