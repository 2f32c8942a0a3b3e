/**
 * patches/kafkajs@2.2.4.patch rewrites how kafkajs writes a produce request's records (one buffer
 * per partition, varints in place, linear grouping). Here its own decoders read back what the
 * patched encoder wrote, record by record, with the batch CRC the broker checks.
 */
import { createRequire } from 'node:module';
import { CompressionTypes } from 'kafkajs';
import { describe, expect, it } from 'vitest';

interface TestMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer | (string | Buffer)[]>;
  timestamp?: string;
}

interface KafkaDecoder {
  readString(): string | null;
  readInt16(): number;
  readInt32(): number;
  readUInt32(): number;
  offset: number;
  buffer: Buffer;
}

interface DecodedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
  timestamp: string;
  offset: string;
}

const require = createRequire(import.meta.url);
const produceV3 = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (args: {
  acks: number;
  timeout: number;
  compression: number;
  topicData: {
    topic: string;
    partitions: { partition: number; firstSequence: number; messages: TestMessage[] }[];
  }[];
}) => { encode(): Promise<{ buffer: Buffer }> };
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => KafkaDecoder;
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  decoder: KafkaDecoder,
) => Promise<{ records: DecodedRecord[]; firstSequence: number; lastOffsetDelta: number }>;
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (buffer: Buffer) => number;
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition.js') as (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: TestMessage[];
  partitioner: (args: { message: TestMessage }) => number;
}) => Record<string, TestMessage[]>;

const NOW = 1_764_000_000_000;

function messages(count: number): TestMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const message: TestMessage = {
      key: i % 7 === 0 ? null : i % 2 === 0 ? `key-${i % 50}` : Buffer.from(`bytes-key-${i}`),
      value: i % 11 === 0 ? null : i % 3 === 0 ? `välue-${i}` : Buffer.alloc(i % 300, i & 0xff),
    };
    if (i % 5 === 0) message.headers = { a: `h${i}`, b: [Buffer.from('x'), 'y'] };
    // Deltas beyond 32 bits take the Long path of writeVarLong, small ones the patched fast path.
    if (i % 13 === 0) message.timestamp = String(NOW - (i % 26 === 0 ? i * 1000 : i * 3_000_000_000));
    return message;
  });
}

const bytes = (value: string | Buffer | null | undefined): string | null =>
  value === null || value === undefined ? null : Buffer.from(value).toString('hex');

async function roundTrip(sent: TestMessage[], compression: number) {
  const request = produceV3({
    acks: -1,
    timeout: 30_000,
    compression,
    topicData: [{ topic: 't', partitions: [{ partition: 3, firstSequence: 7, messages: sent }] }],
  });
  const decoder = new Decoder((await request.encode()).buffer);
  expect(decoder.readString()).toBeNull(); // transactional id
  expect(decoder.readInt16()).toBe(-1);
  expect(decoder.readInt32()).toBe(30_000);
  expect(decoder.readInt32()).toBe(1); // topics
  expect(decoder.readString()).toBe('t');
  expect(decoder.readInt32()).toBe(1); // partitions
  expect(decoder.readInt32()).toBe(3);
  const size = decoder.readInt32();
  const batch = decoder.buffer.subarray(decoder.offset, decoder.offset + size);
  // firstOffset(8) length(4) leaderEpoch(4) magic(1) crc(4), then the CRC-covered rest.
  expect(batch.readUInt32BE(17)).toBe(crc32C(batch.subarray(21)));
  return decodeRecordBatch(decoder);
}

describe('patched kafkajs produce encoding', () => {
  it('is the patched kafkajs (pnpm applied patches/kafkajs@2.2.4.patch)', () => {
    const record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as {
      writeRecord?: unknown;
    };
    expect(typeof record.writeRecord).toBe('function');
  });

  for (const [name, compression] of [
    ['uncompressed', CompressionTypes.None],
    ['gzip', CompressionTypes.GZIP],
  ] as const) {
    it(`writes records its decoder reads back exactly (${name})`, async () => {
      const sent = messages(600);
      const batch = await roundTrip(sent, compression);
      expect(batch.firstSequence).toBe(7);
      expect(batch.lastOffsetDelta).toBe(sent.length - 1);
      const headerBytes = (headers: Record<string, string | Buffer | (string | Buffer)[]>) =>
        Object.fromEntries(
          Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(bytes) : bytes(v)]),
        );
      expect(
        batch.records.map((r) => ({
          offset: r.offset,
          key: bytes(r.key),
          value: bytes(r.value),
          headers: headerBytes(r.headers),
        })),
      ).toEqual(
        sent.map((m, i) => ({
          offset: String(i),
          key: bytes(m.key),
          value: bytes(m.value),
          headers: headerBytes(m.headers ?? {}),
        })),
      );
      const stamped = sent.flatMap((m, i) => (m.timestamp === undefined ? [] : [[i, m.timestamp]]));
      expect(stamped.map(([i]) => batch.records[Number(i)]?.timestamp)).toEqual(stamped.map(([, t]) => t));
    });
  }

  it('groups messages per partition in order, one entry per message', () => {
    const sent = messages(1000);
    const grouped = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [{}, {}, {}],
      messages: sent,
      partitioner: ({ message }) => sent.indexOf(message) % 3,
    });
    expect(Object.keys(grouped).sort()).toEqual(['0', '1', '2']);
    for (const [partition, list] of Object.entries(grouped)) {
      expect(list).toEqual(sent.filter((_, i) => i % 3 === Number(partition)));
    }
  });
});
