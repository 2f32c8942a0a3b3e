/**
 * `pdme ingest backfill` against the real Kafka: a million BIND query-log lines, a known number
 * of them broken, every line accounted for on the topics themselves (offset ranges read back), and
 * no client address in anything published.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEALED_HEADER } from '@pdme/common/crypto';
import { decodeMessage } from '@pdme/common/messages';
import { DeadLetter } from '@pdme/common/proto';
import { dlqTopic, TOPICS } from '@pdme/common/topics';
import { requireStack } from '../../../test/support/localStack.js';
import { runBackfillJob, type BackfillSummary } from '../src/backfillJob.js';
import { loadIngestToolEnv } from '../src/config.js';
import { clientOf, writeBindLog } from './support/generateLogs.js';

const LINES = 1_000_000;
const BAD_EVERY = 1000;

type Offsets = Map<number, string>;

async function highWater(kafka: Kafka, topic: string): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads [from, to) on every partition and hands each message to `visit`, except values sealed at
 * rest: only the stack's own services seal (this backfill runs without a keyring), and theirs are
 * not this test's.
 */
async function readRange(
  kafka: Kafka,
  topic: string,
  range: { from: Offsets; to: Offsets },
  visit: (value: Buffer) => void,
): Promise<void> {
  const pending = new Set(
    [...range.to].filter(([p, high]) => BigInt(high) > BigInt(range.from.get(p) ?? '0')).map(([p]) => p),
  );
  if (pending.size === 0) return;
  const consumer = kafka.consumer({
    groupId: `ingest-backfill-test-${randomBytes(4).toString('hex')}`,
    maxBytes: 16 << 20,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = BigInt(range.to.get(batch.partition) ?? '0');
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= end) break;
          if (message.value !== null && message.headers?.[SEALED_HEADER] === undefined) visit(message.value);
          if (BigInt(message.offset) + 1n >= end) pending.delete(batch.partition);
        }
        if (pending.size === 0) finish();
      },
    });
    for (const [partition, offset] of range.from) consumer.seek({ topic, partition, offset });
    await finished;
  } finally {
    await consumer.disconnect();
  }
}

describe('pdme ingest backfill into the real Kafka', () => {
  const stack = requireStack();
  const marker = `bf-${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'pdme-backfill-'));
  const file = join(dir, `${marker}.log`);
  const kafka = new Kafka({
    clientId: 'ingest-backfill-test',
    brokers: [stack.kafka.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const topics = [TOPICS.dnsQueries, dlqTopic(TOPICS.dnsQueries)] as const;
  const before = new Map<string, Offsets>();
  let summary: BackfillSummary;
  let bad = 0;

  beforeAll(async () => {
    ({ bad } = await writeBindLog(file, { lines: LINES, marker, badEvery: BAD_EVERY }));
    for (const topic of topics) before.set(topic, await highWater(kafka, topic));
    const env = loadIngestToolEnv({
      PDME_CONFIG_FILE: stack.configFile,
      KAFKA_BROKERS: stack.kafka.bootstrap,
      PDME_ANON_SECRET_FILE: join(dirname(stack.configFile), 'secrets', 'anonymization.key'),
    });
    summary = await runBackfillJob({ files: [file], format: 'auto', timeZone: 'utc', env });
  }, 900_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports every line: published + dead-lettered = read', () => {
    expect(bad).toBe(LINES / BAD_EVERY);
    expect(summary.files).toEqual([{ path: file, format: 'bind' }]);
    expect(summary.counts.read).toBe(LINES);
    expect(summary.counts.published).toBe(LINES - bad);
    expect(summary.counts.deadLettered).toBe(bad);
    expect(summary.counts.rejected).toEqual({
      'bind unsupported-class': bad / 4,
      'bind bad-time': bad / 4,
      'bind not-a-query': bad / 4,
      'bind bad-address': bad / 4,
    });
  });

  it('finds exactly those events and dead letters on the topics, and no client address', async () => {
    let events = 0;
    await readRange(
      kafka,
      TOPICS.dnsQueries,
      { from: before.get(TOPICS.dnsQueries) ?? new Map(), to: await highWater(kafka, TOPICS.dnsQueries) },
      (value) => {
        const event = decodeMessage(TOPICS.dnsQueries, value);
        if (event.resource.includes(`.${marker}.`)) events++;
      },
    );
    const letters: DeadLetter[] = [];
    const dlq = dlqTopic(TOPICS.dnsQueries);
    await readRange(
      kafka,
      dlq,
      { from: before.get(dlq) ?? new Map(), to: await highWater(kafka, dlq) },
      (value) => {
        const letter = DeadLetter.decode(value);
        if (letter.origin.startsWith(`${file}:`)) letters.push(letter);
      },
    );
    expect(events).toBe(LINES - bad);
    expect(letters).toHaveLength(bad);
    expect(new Set(letters.map((l) => Number(l.origin.split(':').at(-1)) % BAD_EVERY))).toEqual(new Set([0]));
    // Dead letters hold the line with addresses masked: no generated client address survives.
    for (const letter of letters) {
      const payload = Buffer.from(letter.payload).toString();
      const line = Number(letter.origin.split(':').at(-1));
      expect(payload).not.toContain(`${clientOf(line)}#`);
      expect([...payload.matchAll(/\d+\.\d+\.\d+\.\d+/g)].filter((m) => isIP(m[0]) !== 0)).toEqual([]);
    }
  }, 900_000);
});
