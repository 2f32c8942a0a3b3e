/**
 * The long form of the chaos harness over the running local stack: every fault with long holds
 * (kill -9 of each service held 10 s, Kafka down 30 s, Redis paused 30 s, BIND stopped 60 s, a cache
 * down 60 s, SIGSTOP 60 s of forecaster, decision and dns-updater), then all together, poison input,
 * a soak and the security checks. Prints the per-fault table, the poison outcomes, the soak's memory
 * curve and verdict, and the security findings.
 *
 *   flock -x /tmp/pdme-stack.lock pnpm exec tsx bench/chaos/run.ts [--soak 10m] [--interval 60s]
 *        [--short] [--only kill,kafka] [--no-poison] [--no-security]
 *
 * Hold the exclusive stack lock: the run breaks the shared stack on purpose (and repairs it).
 */
import { execSync } from 'node:child_process';
import { formatReport, runChaos } from '../../test/chaos/chaosRun.js';

function duration(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (match === null) throw new Error(`bench/chaos: not a duration: ${text} (e.g. 90s, 10m)`);
  const n = Number(match[1]);
  return match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1_000;
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const short = args.includes('--short');
const print = (line: string) => process.stdout.write(`${line}\n`);
const load = () => execSync('uptime', { encoding: 'utf8' }).trim();

print(`chaos run (${short ? 'short' : 'long'} form); ${load()}`);
const report = await runChaos({
  long: !short,
  soakMs: duration(option('--soak'), short ? 60_000 : 600_000),
  soakIntervalMs: duration(option('--interval'), short ? 10_000 : 60_000),
  only: option('--only')?.split(','),
  poison: !args.includes('--no-poison'),
  security: !args.includes('--no-security'),
  log: (m) => print(`  ${new Date().toISOString().slice(11, 19)} ${m}`),
});

print(formatReport(report));
print(load());
