/**
 * Property tests: valid lines parse to what they were built from; random and mutated lines never
 * throw and always come back as ok, skip or a failure with a reason, so every bad one is counted.
 * bench/ingest/fuzz.ts runs the same generators for a million inputs and prints the counts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDnstap } from '../dnstap/dnstapDecode.js';
import { dnstapQueryPayload } from '../../test/support/dnstapPayloads.js';
import { bindTime } from '../../test/support/generateLogs.js';
import { mutate } from '../../test/support/mutate.js';
import { parseBindQueryLine } from './bindQueryLog.js';
import { parseJsonQueryLine } from './jsonQueryLine.js';
import { parseCombinedLine, parseNginxJsonLine } from './nginxAccessLog.js';
import type { ParseOutcome } from './parseOutcome.js';
import { ZeekDnsLogParser } from './zeekDnsLog.js';

const RUNS = 2500;

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const dnsName = fc.array(label, { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
const tsMs = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2090, 0, 1) });
const qtype = fc.constantFrom('A', 'AAAA', 'HTTPS', 'TXT', 'TYPE65534');

const bindLine = fc
  .record({
    ts: tsMs,
    name: dnsName,
    address: ipv4,
    port: fc.nat(65535),
    qtype,
    view: fc.boolean(),
    object: fc.boolean(),
  })
  .map((q) => ({
    ...q,
    line: `${bindTime(q.ts)} client ${q.object ? '@0x7f3a2c01b568 ' : ''}${q.address.join('.')}#${q.port} (${q.name}): ${
      q.view ? 'view c1: ' : ''
    }query: ${q.name} IN ${q.qtype} +E(0)K (127.0.0.1)`,
  }));

const jsonLine = fc.record({ ts: tsMs, name: dnsName, address: ipv4, qtype }).map((q) => ({
  ...q,
  line: JSON.stringify({ ts: q.ts / 1000, qname: q.name, qtype: q.qtype, client: q.address.join('.') }),
}));

const nginxJson = fc
  .record({
    ts: tsMs,
    name: dnsName,
    address: ipv4,
    status: fc.integer({ min: 100, max: 599 }),
    bytes: fc.nat(),
  })
  .map((a) => ({
    ...a,
    line: JSON.stringify({
      time: a.ts / 1000,
      host: a.name,
      uri: '/x',
      status: a.status,
      bytes: a.bytes,
      upstream_cache_status: 'MISS',
      user_agent: 'curl/8.5.0',
      remote_addr: a.address.join('.'),
      server: 'cache-c1-a',
    }),
  }));

/** Counts outcomes and asserts each is well-formed; failures must equal inputs minus the rest. */
function tally(): { add: (o: ParseOutcome<unknown>) => void; check: () => void } {
  const n = { inputs: 0, ok: 0, skip: 0, fail: 0 };
  return {
    add: (outcome) => {
      n.inputs++;
      if (outcome.kind === 'fail') expect(outcome.reason).toMatch(/^[a-z-]+$/);
      n[outcome.kind]++;
    },
    check: () => expect(n.fail).toBe(n.inputs - n.ok - n.skip),
  };
}

const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));

describe('parsers under random and mutated input', () => {
  it('BIND: valid lines round-trip; mutations and noise never throw', () => {
    fc.assert(
      fc.property(bindLine, ({ line, ts, name, address, qtype: type }) => {
        const outcome = parseBindQueryLine(line, { timeZone: 'utc' });
        expect(outcome).toEqual({
          kind: 'ok',
          value: {
            tsMs: ts,
            qname: name,
            qtype: type,
            clientAddress: address.join('.'),
            ecsAddress: undefined,
          },
        });
      }),
      { numRuns: RUNS },
    );
    const t = tally();
    const inputs = fc.oneof(
      bindLine.chain(({ line }) => mutate(line)),
      anyText,
    );
    fc.assert(
      fc.property(inputs, (line) => t.add(parseBindQueryLine(line, { timeZone: 'utc' }))),
      { numRuns: RUNS * 3 },
    );
    t.check();
  });

  it('JSON lines: valid lines round-trip; mutations and noise never throw', () => {
    fc.assert(
      fc.property(jsonLine, ({ line, ts, name }) => {
        const outcome = parseJsonQueryLine(line);
        expect(outcome.kind === 'ok' && [outcome.value.tsMs, outcome.value.qname]).toEqual([ts, name]);
      }),
      { numRuns: RUNS },
    );
    const t = tally();
    const inputs = fc.oneof(
      jsonLine.chain(({ line }) => mutate(line)),
      anyText,
      fc.json(),
    );
    fc.assert(
      fc.property(inputs, (line) => t.add(parseJsonQueryLine(line))),
      { numRuns: RUNS * 3 },
    );
    t.check();
  });

  it('nginx JSON and combined: valid lines parse; mutations and noise never throw', () => {
    fc.assert(
      fc.property(nginxJson, ({ line, ts, name, status }) => {
        const outcome = parseNginxJsonLine(line);
        expect(
          outcome.kind === 'ok' && [outcome.value.tsMs, outcome.value.host, outcome.value.status],
        ).toEqual([ts, name, status]);
      }),
      { numRuns: RUNS },
    );
    const combined = fc
      .tuple(ipv4, dnsName, fc.integer({ min: 100, max: 599 }))
      .map(
        ([a, path, status]) =>
          `${a.join('.')} - - [24/Mar/2018:17:15:20 +0000] "GET /${path} HTTP/1.1" ${status} 12 "-" "curl/8"`,
      );
    const t = tally();
    const inputs = fc.oneof(
      nginxJson.chain(({ line }) => mutate(line)),
      combined.chain(mutate),
      anyText,
    );
    fc.assert(
      fc.property(inputs, (line) => {
        t.add(parseNginxJsonLine(line));
        t.add(parseCombinedLine(line, { defaultHost: 'a.example' }));
      }),
      { numRuns: RUNS * 2 },
    );
    t.check();
  });

  it('Zeek: mutated rows and headers never throw', () => {
    const row = fc
      .tuple(tsMs, ipv4, dnsName)
      .map(([ts, a, name]) => `${ts / 1000}\tC1\t${a.join('.')}\t53\t${name}\t1\t1\tA`);
    const t = tally();
    fc.assert(
      fc.property(fc.array(fc.oneof(row.chain(mutate), anyText), { maxLength: 20 }), (rows) => {
        const parser = new ZeekDnsLogParser();
        t.add(parser.parse('#separator \\x09'));
        t.add(parser.parse('#fields\tts\tuid\tid.orig_h\tid.orig_p\tquery\tqclass\tqtype\tqtype_name'));
        for (const line of rows) t.add(parser.parse(line));
      }),
      { numRuns: RUNS / 4 },
    );
    t.check();
  });

  it('dnstap: mutated payloads and random bytes never throw', () => {
    const payload = fc
      .tuple(dnsName, ipv4)
      .map(([name, address]) => dnstapQueryPayload({ name, address, tsSec: 1_700_000_000 }));
    const flip = payload.chain((bytes) =>
      fc.tuple(fc.nat(bytes.length - 1), fc.nat(255), fc.nat(bytes.length)).map(([at, value, cut]) => {
        const copy = Buffer.from(bytes);
        copy[at] = value;
        return copy.subarray(0, Math.max(cut, at + 1));
      }),
    );
    let ok = 0;
    let failed = 0;
    let inputs = 0;
    fc.assert(
      fc.property(fc.oneof(flip, fc.uint8Array({ maxLength: 300 })), (bytes) => {
        inputs++;
        const result = decodeDnstap(bytes);
        if (result.ok) ok++;
        else failed++;
      }),
      { numRuns: RUNS * 2 },
    );
    expect(failed).toBe(inputs - ok);
  });
});
