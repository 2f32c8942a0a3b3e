/**
 * How long BIND's dnstap stops reaching Kafka when ingest restarts. Sends a query every 20 ms
 * (`g<n>.reconnect-<run>.cdn.pdme.test`, from 127.0.1.251), runs `pdme stack restart ingest`, and
 * reads the query topic for those names (by message key, so sealed values do not matter). Restarts a
 * service of the shared stack, so run it alone:
 *   flock -x /tmp/pdme-stack.lock pnpm exec tsx bench/ingest/dnstapReconnect.ts
 * Prints when the old ingest's last probe and the new one's first probe were sent, against the
 * restart command's own timeline (stop + start + ready).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { sleep } from '@pdme/common/lifecycle';
import { TOPICS } from '@pdme/common/topics';
import { readStackState } from '@pdme/cli/stack';
import { Kafka, logLevel } from 'kafkajs';

const PROBE_EVERY_MS = 20;
const CLIENT_ADDRESS = '127.0.1.251';
const stack = readStackState();
if (stack === undefined) throw new Error('bench/ingest/dnstapReconnect.ts needs the local stack');
const run = Math.random().toString(36).slice(2, 8);
const suffix = `.reconnect-${run}.${stack.bind.zone}`;
const kafka = new Kafka({
  clientId: 'pdme-bench-reconnect',
  brokers: [stack.kafka.bootstrap],
  logLevel: logLevel.ERROR,
});

/** A plain DNS query (A, IN, no EDNS) for `name`, id from the sequence number. */
function queryPacket(name: string, id: number): Buffer {
  const labels = name
    .split('.')
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(1, 4); // one question
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

const sentAt: number[] = [];
const arrivedSeqs = new Set<number>();
const t0 = Date.now();
const since = (ms: number): number => ms - t0;

const admin = kafka.admin();
await admin.connect();
const startOffsets = await admin.fetchTopicOffsets(TOPICS.dnsQueries);
await admin.disconnect();
const consumer = kafka.consumer({ groupId: `pdme-bench-reconnect-${run}` });
await consumer.connect();
await consumer.subscribe({ topic: TOPICS.dnsQueries });
await consumer.run({
  eachMessage: async ({ message }) => {
    const key = message.key?.toString() ?? '';
    if (key.endsWith(suffix)) arrivedSeqs.add(Number(key.slice(1, key.indexOf('.'))));
    await Promise.resolve();
  },
});
for (const p of startOffsets)
  consumer.seek({ topic: TOPICS.dnsQueries, partition: p.partition, offset: p.offset });

const socket = createSocket('udp4');
await new Promise<void>((resolve) => socket.bind(0, CLIENT_ADDRESS, resolve));
let probing = true;
const prober = (async () => {
  for (let seq = 0; probing; seq++) {
    sentAt.push(Date.now());
    socket.send(queryPacket(`g${seq}${suffix}`, seq), stack.bind.port, stack.bind.server);
    await sleep(PROBE_EVERY_MS);
  }
})();

await sleep(3000); // probes flowing through the old ingest first
const restartStarted = Date.now();
const restartOutput = await new Promise<string>((resolve, reject) => {
  const child = spawn('pnpm', ['pdme', 'stack', 'restart', 'ingest'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.on('close', (code) =>
    code === 0 ? resolve(out) : reject(new Error(`restart failed (${String(code)}): ${out}`)),
  );
});
const restartReady = Date.now();
// Wait for probes sent after the restart to arrive (or 30 s).
for (let waited = 0; waited < 30_000; waited += 250) {
  const last = Math.max(...arrivedSeqs);
  if (last >= 0 && (sentAt[last] ?? 0) > restartReady + 2000) break;
  await sleep(250);
}
probing = false;
await prober;
await sleep(3000); // stragglers
socket.close();
await consumer.disconnect();

const seqs = [...arrivedSeqs].sort((a, b) => a - b);
// The gap: the longest run of probes that never reached Kafka, between two that did.
let lastOld = -1;
let firstNew: number | undefined;
for (let k = 1; k < seqs.length; k++) {
  const prev = seqs[k - 1] ?? 0;
  const next = seqs[k] ?? 0;
  if (firstNew === undefined || next - prev > firstNew - lastOld) {
    lastOld = prev;
    firstNew = next;
  }
}
const missing = sentAt.length - seqs.length;
const at = (seq: number | undefined): number | undefined =>
  seq === undefined || seq < 0 ? undefined : since(sentAt[seq] ?? 0);
process.stdout.write(
  `${JSON.stringify(
    {
      probesSent: sentAt.length,
      probesOnKafka: seqs.length,
      probesMissing: missing,
      restartStartedMs: since(restartStarted),
      restartReadyMs: since(restartReady),
      restartCommandMs: restartReady - restartStarted,
      lastProbeThroughOldIngestSentMs: at(lastOld),
      firstProbeThroughNewIngestSentMs: at(firstNew),
      gapMs:
        firstNew === undefined || lastOld < 0 ? undefined : (sentAt[firstNew] ?? 0) - (sentAt[lastOld] ?? 0),
      readyToFlowingMs: firstNew === undefined ? undefined : (sentAt[firstNew] ?? 0) - restartReady,
      restartOutput: restartOutput.trim().split('\n').slice(-3),
    },
    null,
    2,
  )}\n`,
);
