/**
 * The Publisher alone: pre-encoded QueryEvents through `publishEncoded` in batches, no parsing, to
 * tell kafkajs's share of ingest's cost from ours. Prints one JSON line like run.ts.
 *   tsx bench/ingest/publisherOnly.ts <topic> <events> [gzip|none] [batch]
 */
import { Publisher, type EncodedMessage } from '@pdme/common/kafka';
import { QueryEvent, Source } from '@pdme/common/proto';
import { TOPICS } from '@pdme/common/topics';
import { readStackState } from '@pdme/cli/stack';
import { Kafka, logLevel } from 'kafkajs';

const [topic = '', eventsArg = '100000', codec = 'gzip', batchArg = '2000'] = process.argv.slice(2);
const stack = readStackState();
if (stack === undefined || !topic.startsWith('pdme-bench-ingest-')) {
  throw new Error('usage: publisherOnly.ts pdme-bench-ingest-<id> [events] [gzip|none] [batch] (stack up)');
}
const events = Number(eventsArg);
const batchSize = Number(batchArg);
const kafka = new Kafka({
  clientId: 'pdme-bench-ingest',
  brokers: [stack.kafka.bootstrap],
  logLevel: logLevel.ERROR,
});
const publisher = new Publisher(kafka, {
  compression: codec === 'none' ? 'none' : 'gzip',
  redirectTopic: () => topic,
});
const messages: EncodedMessage[] = Array.from({ length: events }, (_, i) => {
  const resource = `r${i % 1000}.bench.cdn.pdme.test`;
  const value = QueryEvent.encode(
    QueryEvent.fromPartial({
      eventId: i.toString(16).padStart(32, '0'),
      tsMs: 1_711_238_400_000 + i,
      resource,
      cluster: 'c1',
      qtype: 'A',
      source: Source.SOURCE_DNSTAP,
      client: { clientHash: 'f'.repeat(32), keyEpoch: 480000 },
    }),
  ).finish();
  return { key: resource, value: Buffer.from(value) };
});
await publisher.connect();
const started = performance.now();
const cpu = process.cpuUsage();
for (let i = 0; i < events; i += batchSize) {
  await publisher.publishEncoded(TOPICS.dnsQueries, messages.slice(i, i + batchSize));
}
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
await publisher.disconnect();
process.stdout.write(
  `${JSON.stringify({
    workload: `Publisher only (${codec}, batch ${batchSize})`,
    events,
    seconds: Math.round(seconds * 100) / 100,
    eventsPerSecond: Math.round(events / seconds),
    cpuMicrosPerEvent: Math.round(((used.user + used.system) / events) * 100) / 100,
    peakRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 100) / 100,
  })}\n`,
);
