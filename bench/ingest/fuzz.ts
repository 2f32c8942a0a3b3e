/**
 * A million random and mutated inputs through every parser and the dnstap decoder; prints the
 * outcome counts per parser. Any throw is a bug and stops the run with the input.
 *   pnpm exec tsx bench/ingest/fuzz.ts [inputs]     (default 1,000,000, split over 5 parsers)
 */
import fc from 'fast-check';
import { decodeDnstap } from '../../services/ingest/src/dnstap/dnstapDecode.js';
import { parseBindQueryLine } from '../../services/ingest/src/parsers/bindQueryLog.js';
import { parseJsonQueryLine } from '../../services/ingest/src/parsers/jsonQueryLine.js';
import { parseCombinedLine, parseNginxJsonLine } from '../../services/ingest/src/parsers/nginxAccessLog.js';
import { ZeekDnsLogParser } from '../../services/ingest/src/parsers/zeekDnsLog.js';
import { dnstapQueryPayload } from '../../services/ingest/test/support/dnstapPayloads.js';
import { bindLine } from '../../services/ingest/test/support/generateLogs.js';
import { mutate } from '../../services/ingest/test/support/mutate.js';

const total = Number(process.argv[2] ?? 1_000_000);
const per = Math.floor(total / 5);
const noise = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));
const index = fc.integer({ min: 1, max: 5_000_000 });

type Outcome = { kind: 'ok' | 'skip' } | { kind: 'fail'; reason: string };
interface Tally {
  inputs: number;
  ok: number;
  skip: number;
  fail: Record<string, number>;
}

function run<T>(name: string, inputs: fc.Arbitrary<T>, parse: (input: T) => Outcome): void {
  const r: Tally = { inputs: 0, ok: 0, skip: 0, fail: {} };
  const started = performance.now();
  // Sampled in chunks: fc.sample materializes its array.
  for (let done = 0; done < per; done += 10_000) {
    for (const input of fc.sample(inputs, {
      numRuns: Math.min(10_000, per - done),
      seed: done + name.length,
    })) {
      r.inputs++;
      let outcome: Outcome;
      try {
        outcome = parse(input);
      } catch (error) {
        process.stderr.write(`${name} threw on ${JSON.stringify(input)}: ${String(error)}\n`);
        process.exit(1);
      }
      if (outcome.kind === 'fail') r.fail[outcome.reason] = (r.fail[outcome.reason] ?? 0) + 1;
      else r[outcome.kind]++;
    }
  }
  const failed = Object.values(r.fail).reduce((a, b) => a + b, 0);
  const accounted = r.ok + r.skip + failed === r.inputs;
  process.stdout.write(
    `${name.padEnd(8)} inputs ${r.inputs}  ok ${r.ok}  skip ${r.skip}  rejected ${failed}  accounted ${accounted}  (${Math.round(
      performance.now() - started,
    )} ms)\n    ${JSON.stringify(r.fail)}\n`,
  );
  if (!accounted) process.exitCode = 1;
}

const bind = index.map((i) => bindLine(i, 'fuzz', Date.UTC(2024, 0, 1)));
run('bind', fc.oneof(bind, bind.chain(mutate), noise), (line) =>
  parseBindQueryLine(line, { timeZone: 'utc' }),
);

const json = fc.tuple(index, fc.constantFrom('A', 'AAAA', 28, 'HTTPS')).map(([i, t]) =>
  JSON.stringify({
    ts: 1_700_000_000 + i / 1000,
    qname: `r${i}.fuzz.test`,
    qtype: t,
    client: `10.0.${i & 255}.1`,
  }),
);
run('json', fc.oneof(json, json.chain(mutate), noise, fc.json()), parseJsonQueryLine);

const nginx = index.map((i) =>
  i % 2 === 0
    ? JSON.stringify({
        time: 1_700_000_000 + i / 1000,
        host: `r${i}.fuzz.test`,
        uri: '/x',
        status: 200,
        bytes: i,
        upstream_cache_status: 'HIT',
        user_agent: 'curl/8',
        remote_addr: '10.0.0.1',
        server: 's',
      })
    : `10.0.0.${i & 255} - - [24/Mar/2018:17:15:20 +0000] "GET /r${i} HTTP/1.1" 200 ${i} "-" "curl/8"`,
);
run('nginx', fc.oneof(nginx, nginx.chain(mutate), noise), (line) =>
  line.trimStart().startsWith('{')
    ? parseNginxJsonLine(line)
    : parseCombinedLine(line, { defaultHost: 'a.test' }),
);

const zeekRow = index.map(
  (i) => `${1_700_000_000 + i / 1000}\tC${i}\t10.0.0.${i & 255}\t53\tr${i}.fuzz.test\t1\t1\tA`,
);
const zeek = new ZeekDnsLogParser();
zeek.parse('#separator \\x09');
zeek.parse('#fields\tts\tuid\tid.orig_h\tid.orig_p\tquery\tqclass\tqtype\tqtype_name');
run('zeek', fc.oneof(zeekRow, zeekRow.chain(mutate), noise), (line) =>
  line.startsWith('#') ? { kind: 'skip' } : zeek.parse(line),
);

const payload = index.map((i) =>
  dnstapQueryPayload({ name: `r${i}.fuzz.test`, address: [10, 0, i & 255, 1], tsSec: 1_700_000_000 }),
);
const flipped = payload.chain((bytes) =>
  fc.tuple(fc.nat(bytes.length - 1), fc.nat(255), fc.nat(bytes.length)).map(([at, value, cut]) => {
    const copy = Buffer.from(bytes);
    copy[at] = value;
    return copy.subarray(0, Math.max(cut, at + 1));
  }),
);
run('dnstap', fc.oneof(payload, flipped, fc.uint8Array({ maxLength: 300 })), (bytes) => {
  const r = decodeDnstap(bytes);
  return r.ok ? { kind: 'ok' } : { kind: 'fail', reason: r.reason };
});
