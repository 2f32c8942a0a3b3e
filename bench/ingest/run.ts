/**
 * One ingest workload per process, so peak RSS is the workload's own:
 *   tsx bench/ingest/run.ts prepare <dir> <events>        writes bench inputs (.fstrm, BIND log, kcat lines)
 *   tsx bench/ingest/run.ts fstrm|bind <dir> <topic>      file -> Kafka through ingest's own code path
 * Prints one JSON line: events, seconds, events/s, CPU µs per event, peak RSS MiB, offsets landed.
 * run.sh drives it, runs kcat on the same broker in the same run, and prints the table.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '@pdme/common/config';
import { Publisher } from '@pdme/common/kafka';
import { encodeMessage } from '@pdme/common/messages';
import { QueryEvent, Source } from '@pdme/common/proto';
import { TOPICS } from '@pdme/common/topics';
import { backfillFiles, createIngestContext, EventSink } from '@pdme/ingest';
import { readStackState } from '@pdme/cli/stack';
import { Kafka, logLevel } from 'kafkajs';
import { writeFstrmFile } from '../../services/ingest/src/dnstap/fstrmFile.js';
import { dnstapQueryPayload } from '../../services/ingest/test/support/dnstapPayloads.js';
import { writeBindLog } from '../../services/ingest/test/support/generateLogs.js';

const [mode = '', dir = '/tmp', arg = ''] = process.argv.slice(2);
// BENCH_COMPRESSION=none measures the Publisher's uncompressed option; BENCH_BATCH the batch size.
const compression = process.env['BENCH_COMPRESSION'] === 'none' ? 'none' : 'gzip';
const maxBatch = Number(process.env['BENCH_BATCH'] ?? 2000);
const stack = readStackState();
if (stack === undefined) throw new Error('bench/ingest needs the local stack (pnpm pdme stack up)');
const kafka = new Kafka({
  clientId: 'pdme-bench-ingest',
  brokers: [stack.kafka.bootstrap],
  logLevel: logLevel.ERROR,
});

async function prepare(events: number): Promise<void> {
  const tsSec = Math.floor(Date.UTC(2024, 2, 24) / 1000);
  function* payloads(): Generator<Uint8Array> {
    for (let i = 0; i < events; i++) {
      yield dnstapQueryPayload({
        name: `r${i % 1000}.bench.cdn.pdme.test`,
        address: [10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff],
        tsSec: tsSec + Math.floor(i / 1000),
      });
    }
  }
  await writeFstrmFile(join(dir, 'bench.fstrm'), payloads());
  await writeBindLog(join(dir, 'bench.log'), { lines: events, marker: 'bench' });
  // kcat reads one message per line: key TAB base64(protobuf QueryEvent), the same events ingest makes.
  const lines: string[] = [];
  for (let i = 0; i < events; i++) {
    const resource = `r${i % 1000}.bench.cdn.pdme.test`;
    const event = QueryEvent.fromPartial({
      eventId: i.toString(16).padStart(32, '0'),
      tsMs: tsSec * 1000 + i,
      resource,
      cluster: 'c1',
      qtype: 'A',
      source: Source.SOURCE_DNSTAP,
      client: { clientHash: 'f'.repeat(32), keyEpoch: 480000 },
    });
    lines.push(`${resource}\t${encodeMessage(TOPICS.dnsQueries, event).toString('base64')}`);
  }
  writeFileSync(join(dir, 'kcat.txt'), `${lines.join('\n')}\n`);
}

async function totalOffsets(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function ingestFile(format: 'fstrm' | 'bind', topic: string): Promise<void> {
  const config = loadConfigFile(stack?.configFile ?? '');
  // @pdme/common's own Publisher, as the service runs it, with only the topic swapped for the bench one.
  const publisher = new Publisher(kafka, { compression, redirectTopic: () => topic });
  await publisher.connect();
  const before = await totalOffsets(topic);
  const sink = new EventSink({
    publisher,
    service: 'bench',
    maxBatch,
    lingerMs: 50,
    maxPendingBatches: 2,
    onSendError: (error) => process.stderr.write(`publish retry: ${String(error)}\n`),
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  await backfillFiles([join(dir, format === 'fstrm' ? 'bench.fstrm' : 'bench.log')], {
    format,
    timeZone: 'utc',
    sink,
    context: createIngestContext({ config, secret: Buffer.from('bench-secret-0123456789abcdef') }),
  });
  await sink.close();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await publisher.disconnect();
  const landed = (await totalOffsets(topic)) - before;
  const events = sink.counts.read;
  process.stdout.write(
    `${JSON.stringify({
      workload: `${format} -> Kafka (ingest${compression === 'none' ? ', no gzip' : ''})`,
      events,
      published: sink.counts.published,
      landed,
      seconds: round(seconds),
      eventsPerSecond: Math.round(events / seconds),
      cpuMicrosPerEvent: round((used.user + used.system) / events),
      peakRssMiB: round(process.resourceUsage().maxRSS / 1024),
    })}\n`,
  );
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

if (mode === 'prepare') await prepare(Number(arg || 200_000));
else if (mode === 'fstrm' || mode === 'bind') await ingestFile(mode, arg);
else if (mode === 'offsets') process.stdout.write(`${await totalOffsets(arg)}\n`);
else throw new Error('usage: run.ts prepare|fstrm|bind|offsets <dir> <events|topic>');
