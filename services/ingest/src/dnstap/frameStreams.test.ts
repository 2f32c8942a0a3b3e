import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ControlType,
  DNSTAP_CONTENT_TYPE,
  encodeControlFrame,
  encodeDataFrame,
  type Frame,
  FrameDecoder,
  FrameStreamError,
} from './frameStreams.js';

type FrameSpec =
  { kind: 'data'; payload: Uint8Array } | { kind: 'control'; type: ControlType; contentTypes: string[] };

function encodeSpec(spec: FrameSpec): Buffer {
  return spec.kind === 'data'
    ? encodeDataFrame(spec.payload)
    : encodeControlFrame(spec.type, spec.contentTypes);
}

/** Splits a buffer at the given (sorted, deduplicated) cut points. */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    parts.push(buf.subarray(start, point));
    start = point;
  }
  parts.push(buf.subarray(start));
  return parts;
}

function decodeAll(parts: Buffer[], decoder = new FrameDecoder()): Frame[] {
  const frames: Frame[] = [];
  for (const part of parts) frames.push(...decoder.feed(part));
  decoder.end();
  return frames;
}

function errorOf(fn: () => unknown): FrameStreamError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FrameStreamError) return error;
    throw error;
  }
  throw new Error('expected a FrameStreamError');
}

const frameSpec: fc.Arbitrary<FrameSpec> = fc.oneof(
  fc.record({ kind: fc.constant('data' as const), payload: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
  fc.record({
    kind: fc.constant('control' as const),
    // START allows at most one content type and FINISH none, so generate within those rules.
    type: fc.constantFrom(ControlType.ACCEPT, ControlType.STOP, ControlType.READY),
    contentTypes: fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('control' as const),
    type: fc.constant(ControlType.START),
    contentTypes: fc.array(fc.constant(DNSTAP_CONTENT_TYPE), { maxLength: 1 }),
  }),
);

describe('FrameDecoder', () => {
  it('round-trips any sequence of frames under any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(frameSpec, { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (specs, cuts) => {
          const encoded = specs.map(encodeSpec);
          const stream = Buffer.concat(encoded);
          const frames = decodeAll(split(stream, cuts));
          expect(frames).toHaveLength(specs.length);
          let offset = 0;
          frames.forEach((frame, i) => {
            const spec = specs[i];
            expect(frame.offset).toBe(offset);
            offset += encoded[i]?.length ?? 0;
            if (spec?.kind === 'data') {
              expect(frame).toMatchObject({ kind: 'data' });
              if (frame.kind === 'data') expect(Buffer.from(spec.payload).equals(frame.payload)).toBe(true);
            } else {
              expect(frame).toEqual({ ...spec, offset: frame.offset });
            }
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decodes a byte-at-a-time stream', () => {
    const stream = Buffer.concat([
      encodeControlFrame(ControlType.START, [DNSTAP_CONTENT_TYPE]),
      encodeDataFrame(Buffer.from('hello')),
      encodeControlFrame(ControlType.STOP),
    ]);
    const parts = [...stream].map((byte) => Buffer.from([byte]));
    expect(decodeAll(parts).map((f) => f.kind)).toEqual(['control', 'data', 'control']);
  });

  it('rejects an oversized data frame from its header alone, without buffering the payload', () => {
    const decoder = new FrameDecoder({ maxDataFrameBytes: 1000 });
    decoder.push(encodeDataFrame(Buffer.alloc(10)));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1001);
    decoder.push(header);
    expect(decoder.next()?.kind).toBe('data');
    const error = errorOf(() => decoder.next());
    expect(error.code).toBe('data-frame-too-large');
    expect(error.offset).toBe(14);
    // The rejection is sticky: the stream cannot be resynchronized.
    expect(errorOf(() => decoder.feed(Buffer.alloc(4)).next()).code).toBe('data-frame-too-large');
    expect(decoder.pendingBytes).toBe(0);
  });

  it('applies the 1 MiB default data limit', () => {
    const decoder = new FrameDecoder();
    decoder.push(encodeDataFrame(Buffer.alloc(1024 * 1024)));
    expect(decoder.next()?.kind).toBe('data');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1024 * 1024 + 1);
    decoder.push(header);
    expect(errorOf(() => decoder.next()).code).toBe('data-frame-too-large');
  });

  it('rejects an oversized control frame (default 512 bytes)', () => {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(513, 4);
    expect(errorOf(() => decodeAll([header])).code).toBe('control-frame-too-large');
  });

  it.each([
    [
      'control frame shorter than its type',
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 2, 0, 1]),
      'control-frame-malformed',
    ],
    ['unknown control type', Buffer.from([0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 9]), 'unknown-control-type'],
    ['control type zero', Buffer.from([0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0]), 'unknown-control-type'],
    [
      'unknown field type',
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 0]),
      'control-frame-malformed',
    ],
    [
      'field overrunning the frame',
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 13, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 9, 65]),
      'control-frame-malformed',
    ],
    [
      'truncated field header',
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0]),
      'control-frame-malformed',
    ],
    [
      'START with two content types',
      encodeControlFrame(ControlType.START, ['a', 'b']),
      'control-frame-malformed',
    ],
    ['FINISH with a content type', encodeControlFrame(ControlType.FINISH, ['a']), 'control-frame-malformed'],
  ])('rejects %s', (_name, bytes, code) => {
    expect(errorOf(() => decodeAll([bytes])).code).toBe(code);
  });

  it('reports a stream that ends inside a frame as truncated, with the frame offset', () => {
    const stream = Buffer.concat([encodeDataFrame(Buffer.from('abc')), encodeDataFrame(Buffer.from('defg'))]);
    const decoder = new FrameDecoder();
    const frames = [...decoder.feed(stream.subarray(0, stream.length - 1))];
    expect(frames).toHaveLength(1);
    const error = errorOf(() => decoder.end());
    expect(error.code).toBe('truncated');
    expect(error.offset).toBe(7);
  });

  it('refuses to encode frames that cannot be represented', () => {
    expect(() => encodeDataFrame(new Uint8Array(0))).toThrow(FrameStreamError);
    expect(() => encodeControlFrame(ControlType.READY, ['x'.repeat(257)])).toThrow(FrameStreamError);
  });

  it('never throws anything but FrameStreamError on random bytes, and buffers at most one frame', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }),
        fc.boolean(),
        (chunks, prefixStart) => {
          const decoder = new FrameDecoder({ maxDataFrameBytes: 4096 });
          // Half the runs start like a real stream so the fuzzing reaches past the first header.
          if (prefixStart) decoder.push(encodeControlFrame(ControlType.START, [DNSTAP_CONTENT_TYPE]));
          try {
            for (const chunk of chunks) {
              for (const frame of decoder.feed(chunk)) expect(['data', 'control']).toContain(frame.kind);
              expect(decoder.pendingBytes).toBeLessThanOrEqual(4096 + 8 + 64);
            }
            decoder.end();
          } catch (error) {
            expect(error).toBeInstanceOf(FrameStreamError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
