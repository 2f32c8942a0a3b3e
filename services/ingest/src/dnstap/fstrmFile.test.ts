import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ControlType, encodeControlFrame, encodeDataFrame, FrameStreamError } from './frameStreams.js';
import { type FstrmRecord, readFstrmFile, writeFstrmFile } from './fstrmFile.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdme-fstrm-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(iterable: AsyncIterable<FstrmRecord>): Promise<FstrmRecord[]> {
  const out: FstrmRecord[] = [];
  for await (const record of iterable) out.push(record);
  return out;
}

async function readError(path: string): Promise<{ error: FrameStreamError; records: FstrmRecord[] }> {
  const records: FstrmRecord[] = [];
  try {
    for await (const record of readFstrmFile(path)) records.push(record);
  } catch (error) {
    if (error instanceof FrameStreamError) return { error, records };
    throw error;
  }
  throw new Error('expected a FrameStreamError');
}

describe('fstrm files', () => {
  it('round-trips payloads with their byte offsets, across read chunk boundaries', async () => {
    const path = join(dir, 'a.fstrm');
    const payloads = Array.from({ length: 500 }, (_, i) => Buffer.alloc(1 + (i % 97), i % 256));
    const written = await writeFstrmFile(path, payloads);
    expect(written.frames).toBe(500);
    expect((await stat(path)).size).toBe(written.bytes);

    const records = await collect(readFstrmFile(path, { highWaterMark: 61 }));
    expect(records.map((r) => r.payload)).toEqual(payloads);
    const file = await readFile(path);
    for (const record of records) {
      expect(file.readUInt32BE(record.offset)).toBe(record.payload.length);
    }
    // START frame: escape, length, type, field type, field length, 'protobuf:dnstap.Dnstap'.
    expect(records[0]?.offset).toBe(12 + 8 + 22);
  });

  it('writes from an async generator', async () => {
    const path = join(dir, 'gen.fstrm');
    async function* gen(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 3; i++) yield new Uint8Array([i + 1]);
    }
    await writeFstrmFile(path, gen());
    expect((await collect(readFstrmFile(path))).map((r) => r.payload[0])).toEqual([1, 2, 3]);
  });

  it('stops at STOP, and tolerates a file without STOP that ends on a frame boundary', async () => {
    const after = join(dir, 'after-stop.fstrm');
    await writeFile(
      after,
      Buffer.concat([
        encodeControlFrame(ControlType.START),
        encodeDataFrame(Buffer.from('x')),
        encodeControlFrame(ControlType.STOP),
        Buffer.from('trailing bytes are not read'),
      ]),
    );
    expect(await collect(readFstrmFile(after))).toHaveLength(1);

    const noStop = join(dir, 'no-stop.fstrm');
    await writeFile(
      noStop,
      Buffer.concat([encodeControlFrame(ControlType.START), encodeDataFrame(Buffer.from('x'))]),
    );
    expect(await collect(readFstrmFile(noStop))).toHaveLength(1);
  });

  it('yields the complete frames of a truncated file, then reports where the cut frame starts', async () => {
    const path = join(dir, 'cut.fstrm');
    const start = encodeControlFrame(ControlType.START);
    const first = encodeDataFrame(Buffer.from('complete'));
    await writeFile(
      path,
      Buffer.concat([start, first, encodeDataFrame(Buffer.from('cut here')).subarray(0, 6)]),
    );
    const { error, records } = await readError(path);
    expect(records.map((r) => r.payload.toString())).toEqual(['complete']);
    expect(error.code).toBe('truncated');
    expect(error.offset).toBe(start.length + first.length);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'protocol'],
    ['data before START', encodeDataFrame(Buffer.from('x')), 'protocol'],
    ['a bidirectional handshake frame', encodeControlFrame(ControlType.READY, ['x']), 'protocol'],
    ['another content type', encodeControlFrame(ControlType.START, ['protobuf:other.Thing']), 'protocol'],
    [
      'an oversized frame',
      Buffer.concat([encodeControlFrame(ControlType.START), Buffer.from([0x7f, 0, 0, 0])]),
      'data-frame-too-large',
    ],
  ])('rejects %s', async (_name, bytes, code) => {
    const path = join(dir, 'bad.fstrm');
    await writeFile(path, bytes);
    expect((await readError(path)).error.code).toBe(code);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('closes the file when the consumer stops early', async () => {
    const path = join(dir, 'early.fstrm');
    await writeFstrmFile(path, [Buffer.from('a'), Buffer.from('b')]);
    const openFds = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
    const before = await openFds();
    for await (const record of readFstrmFile(path)) {
      expect(record.payload.toString()).toBe('a');
      break;
    }
    await vi.waitFor(async () => expect(await openFds()).toBe(before));
  });
});
