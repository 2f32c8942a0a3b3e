/**
 * DNS change throughput and command-to-visible latency of the dns-updater's UPDATE path against a
 * private BIND 9, with nsupdate applying the same changes in the same run as the reference.
 *
 * One change = what PDME sends to claim a mirror: prerequisites "name not in use" for the name and its
 * `_pdme` ownership name, then add the CNAME and the ownership TXT (TSIG hmac-sha256, every response's
 * TSIG verified). Every change of every phase is checked afterwards by querying the CNAME and the TXT.
 *
 *   pnpm exec tsx bench/dns-updater/run.ts [--changes 2000] [--rounds 2] [--in-flight 8]
 *                                          [--bind-parent /dev/shm] [--rate 500] [--seconds 3]
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import {
  claimNameWithCname,
  ownershipName,
  ownershipValue,
} from '../../services/dns-updater/src/mirrorRecords.js';
import { DnsUpdateClient, queryRecords } from '../../services/dns-updater/src/rfc2136/index.js';
import { UpdateBatcher } from '../../services/dns-updater/src/updateBatcher.js';
import {
  bindToolsMissing,
  findTool,
  startBind,
  type BindServer,
} from '../../services/dns-updater/test/bindServer.js';

const ZONE = 'bench.pdme.test';
const TARGET = `cache-a.${ZONE}`;
const OWNER = 'pdme-bench';
const TTL = 30;

const { values: args } = parseArgs({
  options: {
    changes: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '2' },
    'in-flight': { type: 'string', default: '8' },
    'bind-parent': { type: 'string' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '3' },
  },
});
const CHANGES = Number(args.changes);
const ROUNDS = Number(args.rounds);
const IN_FLIGHT = Number(args['in-flight']);

let phaseCounter = 0;
/** A fresh set of names per phase, so every claim's prerequisites hold and nothing is reused. */
function names(count: number): string[] {
  const phase = `p${phaseCounter++}`;
  return Array.from({ length: count }, (_, i) => `m${i}.${phase}.${ZONE}`);
}

function claim(name: string) {
  return claimNameWithCname({ zone: ZONE, resource: name, target: TARGET, ttlSeconds: TTL, ownerId: OWNER });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface PhaseResult {
  readonly label: string;
  readonly perSecond: number;
  readonly names: readonly string[];
  readonly latenciesMs?: readonly number[];
}

async function ours(
  bind: BindServer,
  label: string,
  maxChanges: number,
  windowMs: number,
): Promise<PhaseResult> {
  const client = new DnsUpdateClient({
    server: '127.0.0.1',
    port: bind.port,
    key: bind.key,
    timeoutMs: 15_000,
  });
  const batcher = new UpdateBatcher({ client, maxChanges, windowMs, maxInFlight: IN_FLIGHT });
  const list = names(CHANGES);
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    list.map(async (name) => {
      const submitted = performance.now();
      await batcher.send(claim(name));
      latencies.push(performance.now() - submitted);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { label, perSecond: CHANGES / seconds, names: list, latenciesMs: latencies.sort((a, b) => a - b) };
}

/** nsupdate started once and fed every change on stdin; `send` after each change or every 100. */
async function nsupdate(
  bind: BindServer,
  keyFile: string,
  label: string,
  perMessage: number,
): Promise<PhaseResult> {
  const list = names(CHANGES);
  const lines = [`server 127.0.0.1 ${bind.port}`, `zone ${ZONE}`];
  list.forEach((name, i) => {
    const txt = ownershipName(name);
    lines.push(
      `prereq nxdomain ${name}`,
      `prereq nxdomain ${txt}`,
      `update add ${name} ${TTL} CNAME ${TARGET}.`,
      `update add ${txt} ${TTL} TXT "${ownershipValue(OWNER)}"`,
    );
    if ((i + 1) % perMessage === 0 || i === list.length - 1) lines.push('send');
  });
  const script = `${lines.join('\n')}\n`;
  const tool = findTool('nsupdate') ?? 'nsupdate';
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(tool, ['-k', keyFile], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`nsupdate exited ${code}: ${stderr}`)),
    );
    child.stdin.end(script);
  });
  const seconds = (performance.now() - started) / 1000;
  return { label, perSecond: CHANGES / seconds, names: list };
}

/** Every change checked: the CNAME points at the target and the ownership TXT is there. */
async function verify(bind: BindServer, list: readonly string[]): Promise<number> {
  const target = { server: '127.0.0.1', port: bind.port, timeoutMs: 5000 };
  let missing = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < list.length; i = next++) {
        const name = list[i] ?? '';
        const [cname, txt] = await Promise.all([
          queryRecords(target, name, 'CNAME'),
          queryRecords(target, ownershipName(name), 'TXT'),
        ]);
        const first = cname[0];
        const okCname =
          cname.length === 1 && first?.type === 'CNAME' && first.data.replace(/\.$/, '') === TARGET;
        if (!okCname || txt.length !== 1) missing++;
      }
    }),
  );
  return missing;
}

/**
 * Command-to-visible latency under a steady offered load: each command goes through the batcher (20 ms
 * window), and counts as visible when a query to the server returns its CNAME.
 */
async function visibleLatency(bind: BindServer): Promise<number[]> {
  const client = new DnsUpdateClient({
    server: '127.0.0.1',
    port: bind.port,
    key: bind.key,
    timeoutMs: 15_000,
  });
  const batcher = new UpdateBatcher({ client, maxChanges: 100, windowMs: 20, maxInFlight: IN_FLIGHT });
  const rate = Number(args.rate);
  const total = Math.round(rate * Number(args.seconds));
  const list = names(total);
  const target = { server: '127.0.0.1', port: bind.port, timeoutMs: 5000 };
  const latencies: number[] = [];
  const started = performance.now();
  const work: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const name = list[i] ?? '';
    const submitted = performance.now();
    work.push(
      (async () => {
        await batcher.send(claim(name));
        for (;;) {
          const answer = await queryRecords(target, name, 'CNAME');
          if (answer.length > 0) break;
        }
        latencies.push(performance.now() - submitted);
      })(),
    );
  }
  await Promise.all(work);
  return latencies.sort((a, b) => a - b);
}

/** Benchmarks print their figures on stdout. */
function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const missing = [...bindToolsMissing(), ...(findTool('nsupdate') === undefined ? ['nsupdate'] : [])];
  if (missing.length > 0) {
    print(`skipped: ${missing.join(', ')} not installed`);
    return;
  }
  const bind = await startBind({ zone: ZONE, parentDir: args['bind-parent'] });
  try {
    const keyFile = join(bind.dir, 'nsupdate.key');
    await writeFile(keyFile, bind.keyText, { mode: 0o600 });
    print(
      `dns-updater bench: ${CHANGES} changes per phase, ${ROUNDS} round(s), BIND ${bind.dir} (port ${bind.port}), ` +
        `our client ${IN_FLIGHT} message(s) in flight`,
    );
    const rows: PhaseResult[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate who goes first, since the zone (and its journal) grows as the run goes on.
      const phases: (() => Promise<PhaseResult>)[] = [
        () => ours(bind, 'ours     1/message', 1, 0),
        () => nsupdate(bind, keyFile, 'nsupdate 1/message', 1),
        () => ours(bind, 'ours     100/message', 100, 20),
        () => nsupdate(bind, keyFile, 'nsupdate 100/message', 100),
      ];
      const order = round % 2 === 1 ? [0, 1, 2, 3] : [1, 0, 3, 2];
      for (const i of order) {
        const phase = phases[i];
        if (phase === undefined) continue;
        const result = await phase();
        const bad = await verify(bind, result.names);
        rows.push(result);
        const lat = result.latenciesMs;
        const latText =
          lat === undefined
            ? ''
            : `  submit→applied p50 ${percentile(lat, 50).toFixed(1)} ms p99 ${percentile(lat, 99).toFixed(1)} ms`;
        print(
          `round ${round}  ${result.label.padEnd(21)} ${fmt(result.perSecond).padStart(7)} changes/s` +
            `  verified ${result.names.length - bad}/${result.names.length}${latText}`,
        );
        if (bad > 0) throw new Error(`${bad} changes of "${result.label}" are not visible`);
      }
    }
    const best = (label: string) =>
      Math.max(...rows.filter((r) => r.label === label).map((r) => r.perSecond));
    const single = best('ours     1/message') / best('nsupdate 1/message');
    const batched = best('ours     100/message') / best('nsupdate 100/message');
    print(
      `best of rounds: ours/nsupdate 1 per message ${single.toFixed(2)} (target ≥ 1.00), ` +
        `100 per message ${batched.toFixed(2)} (target ≥ 0.80)`,
    );
    const latencies = await visibleLatency(bind);
    print(
      `command-to-visible at ${args.rate} commands/s for ${args.seconds} s (batch window 20 ms, ${latencies.length} commands): ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms  p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
  } finally {
    await bind.stop();
  }
}

await main();
