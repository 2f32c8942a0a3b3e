import type { EncodedMessage } from '@pdme/common/kafka';
import { QueryEvent, type ClientTraits } from '@pdme/common/proto';

/** Fresh memory per chunk: values of a batch stay referenced by the producer until Kafka acknowledges. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Writes a batch of QueryEvents as protobuf, byte for byte what `QueryEvent.encode` writes, straight
 * into shared chunks: no writer objects, no per-event copies (the values are views of the chunk).
 * The generic encoder cost several µs per event and much of ingest's garbage at 100k events/s.
 */
export function encodeQueryEvents(events: readonly QueryEvent[]): EncodedMessage[] {
  const out: EncodedMessage[] = new Array<EncodedMessage>(events.length);
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let pos = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as QueryEvent;
    if (!fastPathFits(event)) {
      out[i] = { key: event.resource, value: Buffer.from(QueryEvent.encode(event).finish()) };
      continue;
    }
    const bound = worstCaseBytes(event);
    if (pos + bound > chunk.length) {
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bound));
      pos = 0;
    }
    const end = writeQueryEvent(chunk, pos, event);
    out[i] = { key: event.resource, value: chunk.subarray(pos, end) };
    pos = end;
  }
  return out;
}

/** Numbers the varint writer below encodes as protobuf does; anything else takes the generic path. */
function fastPathFits(event: QueryEvent): boolean {
  const epoch = event.client?.keyEpoch ?? 0;
  const source: number = event.source;
  return (
    Number.isSafeInteger(event.tsMs) &&
    event.tsMs >= 0 &&
    Number.isInteger(source) &&
    source >= 0 &&
    source <= 0x7fffffff &&
    Number.isInteger(epoch) &&
    epoch >= 0 &&
    epoch <= 0xffffffff
  );
}

function worstCaseBytes(event: QueryEvent): number {
  const client = event.client;
  const text =
    event.eventId.length +
    event.resource.length +
    event.cluster.length +
    event.qtype.length +
    (client === undefined
      ? 0
      : client.clientHash.length +
        client.region.length +
        client.osFamily.length +
        client.browserFamily.length);
  // 3 UTF-8 bytes per UTF-16 unit at most, plus tags, lengths and numbers.
  return 3 * text + 96;
}

function writeQueryEvent(buf: Buffer, start: number, event: QueryEvent): number {
  let pos = start;
  pos = writeString(buf, pos, 10, event.eventId);
  if (event.tsMs !== 0) {
    buf[pos++] = 16;
    pos = writeVarint(buf, pos, event.tsMs);
  }
  pos = writeString(buf, pos, 26, event.resource);
  pos = writeString(buf, pos, 34, event.cluster);
  pos = writeString(buf, pos, 42, event.qtype);
  const source: number = event.source;
  if (source !== 0) {
    buf[pos++] = 48;
    pos = writeVarint(buf, pos, source);
  }
  if (event.client !== undefined) {
    buf[pos] = 58;
    pos = fixLength(buf, pos + 1, writeClient(buf, pos + 2, event.client));
  }
  return pos;
}

function writeClient(buf: Buffer, start: number, client: ClientTraits): number {
  let pos = writeString(buf, start, 10, client.clientHash);
  if (client.keyEpoch !== 0) {
    buf[pos++] = 16;
    pos = writeVarint(buf, pos, client.keyEpoch);
  }
  pos = writeString(buf, pos, 26, client.region);
  pos = writeString(buf, pos, 34, client.osFamily);
  return writeString(buf, pos, 42, client.browserFamily);
}

/** Proto3: empty strings are not written. */
function writeString(buf: Buffer, start: number, tag: number, value: string): number {
  if (value === '') return start;
  buf[start] = tag;
  return fixLength(buf, start + 1, start + 2 + buf.write(value, start + 2, 'utf8'));
}

/**
 * Content is written after one reserved length byte, as its length is known only once written
 * (names, hashes and clients are < 128 bytes); a longer one is moved to make room for its varint.
 */
function fixLength(buf: Buffer, lengthAt: number, end: number): number {
  const length = end - lengthAt - 1;
  if (length < 128) {
    buf[lengthAt] = length;
    return end;
  }
  const extra = varintSize(length) - 1;
  buf.copyWithin(lengthAt + 1 + extra, lengthAt + 1, end);
  writeVarint(buf, lengthAt, length);
  return end + extra;
}

/** Unsigned varint of a safe non-negative integer; arithmetic, as it may exceed 32 bits. */
function writeVarint(buf: Buffer, start: number, value: number): number {
  let pos = start;
  let rest = value;
  while (rest >= 128) {
    buf[pos++] = (rest % 128) | 128;
    rest = Math.floor(rest / 128);
  }
  buf[pos++] = rest;
  return pos;
}

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 128; rest = Math.floor(rest / 128)) size++;
  return size;
}
