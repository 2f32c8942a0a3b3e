/**
 * BIND under dnsperf at full rate, dnstap into the running ingest: does every query BIND answered
 * reach Kafka, and if not, where was it dropped? Loads the shared stack hard, so run it alone:
 *   flock -x /tmp/pdme-stack.lock pnpm exec tsx bench/ingest/dnsperf.ts [seconds] [names]
 * Queries come from 127.0.1.250 (cluster c1's view) for `q<n>.dnsperf-<run>.cdn.pdme.test`: in the
 * zone (BIND answers NXDOMAIN from its own data) but two labels deep, so no resource type's
 * `*.cdn.pdme.test` pattern matches them and the decision service never mirrors them.
 * Compares, as deltas over the run: dnsperf's counts, BIND's statistics channel (queries, responses,
 * DNSTAPsuccess/DNSTAPdropped), ingest's /metrics, and the query topic's end offsets.
 * Needs dnsperf (apt-get install -y dnsperf).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@pdme/common/lifecycle';
import { TOPICS } from '@pdme/common/topics';
import { readStackState } from '@pdme/cli/stack';
import { Kafka, logLevel } from 'kafkajs';

const [secondsArg = '10', namesArg = '1000'] = process.argv.slice(2);
const seconds = Number(secondsArg);
const names = Number(namesArg);
const CLIENT_ADDRESS = '127.0.1.250';
const stack = readStackState();
if (stack === undefined)
  throw new Error('bench/ingest/dnsperf.ts needs the local stack (pnpm pdme stack up)');
const ingestMetricsUrl = `http://127.0.0.1:${stack.opsPorts.ingest}/metrics`;
const kafka = new Kafka({
  clientId: 'pdme-bench-dnsperf',
  brokers: [stack.kafka.bootstrap],
  logLevel: logLevel.ERROR,
});

interface IngestCounters {
  readonly read: number;
  readonly rejected: number;
  readonly published: number;
  readonly deadLettered: number;
  readonly buffered: number;
}

interface Snapshot {
  readonly bind: Record<string, number>;
  readonly ingest: IngestCounters;
  readonly offsets: number;
}

async function bindCounters(): Promise<Record<string, number>> {
  const response = await fetch(new URL('json/v1/server', stack?.bind.statsUrl));
  if (!response.ok) throw new Error(`BIND statistics channel: HTTP ${response.status}`);
  const stats = (await response.json()) as {
    nsstats?: Record<string, number>;
    dnstapstats?: Record<string, number>;
  };
  return { ...stats.nsstats, ...stats.dnstapstats };
}

/** The dnstap source's and the query topic's counters from ingest's Prometheus text. */
async function ingestCounters(): Promise<IngestCounters> {
  const text = await (await fetch(ingestMetricsUrl)).text();
  const value = (prefix: string, ...labels: string[]): number =>
    text
      .split('\n')
      .filter((l) => l.startsWith(prefix) && labels.every((label) => l.includes(label)))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
  return {
    read: value('pdme_ingest_events_total{', 'source="dnstap"', 'outcome="read"'),
    rejected: value('pdme_ingest_events_total{', 'source="dnstap"', 'outcome="rejected"'),
    published: value('pdme_ingest_published_total{', `topic="${TOPICS.dnsQueries}"`),
    deadLettered: value('pdme_ingest_published_total{', 'topic="dlq"'),
    buffered: value('pdme_ingest_buffered_events{'),
  };
}

async function topicEndOffsets(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(TOPICS.dnsQueries)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function snapshot(): Promise<Snapshot> {
  const [bind, ingest, offsets] = await Promise.all([bindCounters(), ingestCounters(), topicEndOffsets()]);
  return { bind, ingest, offsets };
}

interface DnsperfResult {
  readonly sent: number;
  readonly completed: number;
  readonly lost: number;
  readonly qps: number;
  readonly output: string;
}

function runDnsperf(dataFile: string): Promise<DnsperfResult> {
  const args = [
    ...['-s', stack?.bind.server ?? '127.0.0.1', '-p', String(stack?.bind.port ?? 15353)],
    ...['-a', CLIENT_ADDRESS, '-d', dataFile, '-l', String(seconds)],
    // Enough outstanding queries and sockets to keep BIND busy: "full rate" is what BIND answers.
    ...['-c', '8', '-T', '2', '-q', '500', '-t', '2'],
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('dnsperf', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => reject(new Error(`dnsperf: ${error.message} (apt-get install -y dnsperf)`)));
    child.on('close', (code) => {
      const num = (label: RegExp): number => Number(label.exec(output)?.[1] ?? Number.NaN);
      if (code !== 0) return reject(new Error(`dnsperf exited with ${String(code)}:\n${output}`));
      resolve({
        sent: num(/Queries sent:\s+(\d+)/),
        completed: num(/Queries completed:\s+(\d+)/),
        lost: num(/Queries lost:\s+(\d+)/),
        qps: num(/Queries per second:\s+([\d.]+)/),
        output,
      });
    });
  });
}

/** Until ingest has read and acknowledged all it will (its counters stop moving, nothing buffered). */
async function waitDrained(limitMs: number): Promise<number> {
  const started = Date.now();
  let last = await ingestCounters();
  for (;;) {
    await sleep(1000);
    const now = await ingestCounters();
    const still = now.read === last.read && now.published === last.published && now.buffered === 0;
    if (still || Date.now() - started > limitMs) return Date.now() - started;
    last = now;
  }
}

const delta = (after: Record<string, number>, before: Record<string, number>, key: string): number =>
  (after[key] ?? 0) - (before[key] ?? 0);

const dir = mkdtempSync(join(tmpdir(), 'pdme-bench-dnsperf-'));
try {
  const run = Math.random().toString(36).slice(2, 8);
  const lines = Array.from({ length: names }, (_, i) => `q${i}.dnsperf-${run}.${stack.bind.zone} A`);
  const dataFile = join(dir, 'queries.txt');
  writeFileSync(dataFile, `${lines.join('\n')}\n`);

  const before = await snapshot();
  const dnsperf = await runDnsperf(dataFile);
  const drainMs = await waitDrained(120_000);
  const after = await snapshot();

  const b = (key: string): number => delta(after.bind, before.bind, key);
  const i = (key: keyof IngestCounters): number => after.ingest[key] - before.ingest[key];
  const queries = b('QryUDP') + b('QryTCP');
  const dnstapFrames = b('DNSTAPsuccess');
  const landed = after.offsets - before.offsets;
  const report = {
    seconds,
    dnsperf: { sent: dnsperf.sent, completed: dnsperf.completed, lost: dnsperf.lost, qps: dnsperf.qps },
    bind: {
      queries,
      responses: b('Response'),
      dnstapSuccess: dnstapFrames,
      dnstapDropped: b('DNSTAPdropped'),
    },
    ingest: {
      read: i('read'),
      rejected: i('rejected'),
      published: i('published'),
      drainMs,
      bufferedAfter: after.ingest.buffered,
    },
    kafka: { landed },
    accounting: {
      // Each query BIND took is one dnstap frame, written or counted as dropped by BIND itself.
      queriesWithoutFrame: queries - dnstapFrames - b('DNSTAPdropped'),
      // Frames BIND wrote that ingest never read (lost on the socket or still in flight).
      framesNotRead: dnstapFrames - i('read'),
      readNotPublished: i('read') - i('rejected') - i('published'),
      publishedNotLanded: i('published') - landed,
      eventsOnKafkaPerQuery: queries === 0 ? 0 : Math.round((landed / queries) * 10_000) / 10_000,
    },
    note: 'deltas over the run; other clients of the shared stack in the same seconds count too',
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
