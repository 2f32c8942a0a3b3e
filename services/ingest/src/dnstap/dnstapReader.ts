import { BinaryReader } from '@bufbuild/protobuf/wire';
import type { dnstap } from '@pdme/common/proto';

/** Shared by every frame: absent bytes fields are read-only empty views, never written to. */
const EMPTY = Buffer.alloc(0);

/**
 * `dnstap.Dnstap.decode`, field for field and failure for failure, except that bytes fields are
 * views of the payload instead of copies and absent ones share one empty buffer: the generated
 * decoder's nine allocations and copies per frame were the largest cost of reading dnstap.
 * Callers only read the result, and must not keep it beyond the payload's lifetime.
 */
export function readDnstap(payload: Uint8Array): dnstap.Dnstap {
  const buf = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const reader = new BinaryReader(buf);
  const frame: dnstap.Dnstap = { identity: EMPTY, version: EMPTY, extra: EMPTY, type: 1, message: undefined };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 10) frame.identity = bytes(reader);
    else if (tag === 18) frame.version = bytes(reader);
    else if (tag === 26) frame.extra = bytes(reader);
    else if (tag === 120) frame.type = reader.int32();
    else if (tag === 114) frame.message = readMessage(reader, reader.uint32());
    else if ((tag & 7) === 4 || tag === 0) break;
    else reader.skip(tag & 7);
  }
  return frame;
}

function readMessage(reader: BinaryReader, length: number): dnstap.Message {
  const end = reader.pos + length;
  const message: dnstap.Message = {
    type: 1,
    socketFamily: 1,
    socketProtocol: 1,
    queryAddress: EMPTY,
    responseAddress: EMPTY,
    queryPort: 0,
    responsePort: 0,
    queryTimeSec: 0,
    queryTimeNsec: 0,
    queryMessage: EMPTY,
    queryZone: EMPTY,
    responseTimeSec: 0,
    responseTimeNsec: 0,
    responseMessage: EMPTY,
  };
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag) {
      case 8:
        message.type = reader.int32();
        continue;
      case 16:
        message.socketFamily = reader.int32();
        continue;
      case 24:
        message.socketProtocol = reader.int32();
        continue;
      case 34:
        message.queryAddress = bytes(reader);
        continue;
      case 42:
        message.responseAddress = bytes(reader);
        continue;
      case 48:
        message.queryPort = reader.uint32();
        continue;
      case 56:
        message.responsePort = reader.uint32();
        continue;
      case 64:
        message.queryTimeSec = safeNumber(reader.uint64());
        continue;
      case 77:
        message.queryTimeNsec = reader.fixed32();
        continue;
      case 82:
        message.queryMessage = bytes(reader);
        continue;
      case 90:
        message.queryZone = bytes(reader);
        continue;
      case 96:
        message.responseTimeSec = safeNumber(reader.uint64());
        continue;
      case 109:
        message.responseTimeNsec = reader.fixed32();
        continue;
      case 114:
        message.responseMessage = bytes(reader);
        continue;
    }
    if ((tag & 7) === 4 || tag === 0) break;
    reader.skip(tag & 7);
  }
  return message;
}

/** The reader reads a Buffer, so its slices are already Buffer views of the payload. */
function bytes(reader: BinaryReader): Buffer {
  const slice = reader.bytes();
  return Buffer.isBuffer(slice) ? slice : Buffer.from(slice);
}

/** As the generated `longToNumber`: a time beyond 2^53 is an error, not a rounded number. */
function safeNumber(value: bigint | string): number {
  const num = Number(value.toString());
  if (num > Number.MAX_SAFE_INTEGER) throw new Error('Value is larger than Number.MAX_SAFE_INTEGER');
  return num;
}
