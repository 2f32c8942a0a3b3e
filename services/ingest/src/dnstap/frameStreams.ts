/**
 * Frame Streams (fstrm) framing, as spoken by BIND, Unbound, Knot and dnsdist for dnstap.
 *
 * Wire format (all integers big-endian uint32):
 *   data frame:    length (> 0), payload
 *   control frame: 0 (escape), control length, control type, then fields of
 *                  (field type, field length, field bytes); the only field type is CONTENT_TYPE = 1.
 *
 * The decoder is pull-based (`push` bytes, then `next()` frames) so that a caller can stop between
 * frames and await a slow consumer without the decoder materializing every frame of a chunk.
 */

export const DNSTAP_CONTENT_TYPE = 'protobuf:dnstap.Dnstap';

export const ControlType = {
  ACCEPT: 1,
  START: 2,
  STOP: 3,
  READY: 4,
  FINISH: 5,
} as const;
export type ControlType = (typeof ControlType)[keyof typeof ControlType];

const CONTROL_FIELD_CONTENT_TYPE = 1;

/** Same limits as libfstrm (FSTRM_CONTROL_FRAME_LENGTH_MAX, ..._CONTENT_TYPE_LENGTH_MAX). */
export const DEFAULT_MAX_DATA_FRAME_BYTES = 1024 * 1024;
export const DEFAULT_MAX_CONTROL_FRAME_BYTES = 512;
export const MAX_CONTENT_TYPE_BYTES = 256;

export type DataFrame = {
  kind: 'data';
  /** May be a view into a pushed chunk (no copy); copy it if it is retained for long. */
  payload: Buffer;
  /** Byte offset of the frame's length prefix from the start of the stream. */
  offset: number;
};
export type ControlFrame = { kind: 'control'; type: ControlType; contentTypes: string[]; offset: number };
export type Frame = DataFrame | ControlFrame;

export type FrameStreamErrorCode =
  | 'data-frame-too-large'
  | 'control-frame-too-large'
  | 'control-frame-malformed'
  | 'unknown-control-type'
  | 'truncated'
  | 'protocol';

/** Every rejection of a malformed stream is this type, so callers can report instead of crashing. */
export class FrameStreamError extends Error {
  override readonly name = 'FrameStreamError';
  constructor(
    readonly code: FrameStreamErrorCode,
    message: string,
    /** Byte offset of the offending frame from the start of the stream, when known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

export type FrameDecoderOptions = {
  maxDataFrameBytes?: number;
  maxControlFrameBytes?: number;
};

type State =
  | { step: 'length' }
  | { step: 'data'; length: number }
  | { step: 'control-length' }
  | { step: 'control'; length: number };

export class FrameDecoder {
  private readonly maxData: number;
  private readonly maxControl: number;
  /** Unconsumed input kept as the original chunks to avoid re-concatenating on every push. */
  private chunks: Buffer[] = [];
  private head = 0;
  private buffered = 0;
  /** Stream offset of the next unconsumed byte. */
  private consumed = 0;
  private frameStart = 0;
  private state: State = { step: 'length' };
  /** Once the stream is malformed it stays rejected: resynchronizing length-prefixed data is guesswork. */
  private failure: FrameStreamError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxData = options.maxDataFrameBytes ?? DEFAULT_MAX_DATA_FRAME_BYTES;
    this.maxControl = options.maxControlFrameBytes ?? DEFAULT_MAX_CONTROL_FRAME_BYTES;
  }

  /** Bytes received but not yet returned as part of a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** True when no partial frame is buffered, i.e. the stream may end here cleanly. */
  get atFrameBoundary(): boolean {
    return this.buffered === 0 && this.state.step === 'length';
  }

  push(chunk: Uint8Array): void {
    // After a failure input is dropped, so a peer that keeps sending cannot grow the buffer.
    if (chunk.length === 0 || this.failure) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.chunks.push(buf);
    this.buffered += buf.length;
  }

  /** The next complete frame, or undefined if more bytes are needed. Throws FrameStreamError. */
  next(): Frame | undefined {
    if (this.failure) throw this.failure;
    try {
      return this.step();
    } catch (error) {
      this.failure =
        error instanceof FrameStreamError
          ? error
          : new FrameStreamError('protocol', String(error), this.frameStart);
      this.chunks = [];
      this.buffered = 0;
      throw this.failure;
    }
  }

  /** Convenience for callers that do not need to pause between frames. */
  *feed(chunk: Uint8Array): Generator<Frame, void, undefined> {
    this.push(chunk);
    for (let frame = this.next(); frame; frame = this.next()) yield frame;
  }

  /** Call at end of input: throws if the stream stopped inside a frame. */
  end(): void {
    if (this.failure) throw this.failure;
    if (!this.atFrameBoundary) {
      throw new FrameStreamError('truncated', 'stream ended inside a frame', this.frameStart);
    }
  }

  private step(): Frame | undefined {
    for (;;) {
      const state = this.state;
      switch (state.step) {
        case 'length': {
          if (this.buffered < 4) return undefined;
          this.frameStart = this.consumed;
          const length = this.take(4).readUInt32BE(0);
          if (length === 0) {
            this.state = { step: 'control-length' };
          } else if (length > this.maxData) {
            throw new FrameStreamError(
              'data-frame-too-large',
              `data frame of ${length} bytes exceeds limit ${this.maxData}`,
              this.frameStart,
            );
          } else {
            this.state = { step: 'data', length };
          }
          break;
        }
        case 'data': {
          if (this.buffered < state.length) return undefined;
          this.state = { step: 'length' };
          return { kind: 'data', payload: this.take(state.length), offset: this.frameStart };
        }
        case 'control-length': {
          if (this.buffered < 4) return undefined;
          const length = this.take(4).readUInt32BE(0);
          if (length > this.maxControl) {
            throw new FrameStreamError(
              'control-frame-too-large',
              `control frame of ${length} bytes exceeds limit ${this.maxControl}`,
              this.frameStart,
            );
          }
          this.state = { step: 'control', length };
          break;
        }
        case 'control': {
          if (this.buffered < state.length) return undefined;
          this.state = { step: 'length' };
          return parseControl(this.take(state.length), this.frameStart);
        }
      }
    }
  }

  /** Removes n buffered bytes (caller checked n <= buffered); zero-copy when they sit in one chunk. */
  private take(n: number): Buffer {
    this.consumed += n;
    this.buffered -= n;
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(first, n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[0];
      if (!chunk) throw new FrameStreamError('protocol', 'decoder buffer accounting error');
      const count = Math.min(n - written, chunk.length - this.head);
      chunk.copy(out, written, this.head, this.head + count);
      written += count;
      this.advance(chunk, count);
    }
    return out;
  }

  private advance(chunk: Buffer, count: number): void {
    this.head += count;
    if (this.head === chunk.length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}

function isControlType(value: number): value is ControlType {
  return value >= ControlType.ACCEPT && value <= ControlType.FINISH;
}

/** Parses the control frame body (after the escape and the length); rules follow libfstrm's control.c. */
function parseControl(body: Buffer, offset: number): ControlFrame {
  const malformed = (why: string): FrameStreamError =>
    new FrameStreamError('control-frame-malformed', `control frame: ${why}`, offset);
  if (body.length < 4) throw malformed('shorter than its type');
  const type = body.readUInt32BE(0);
  if (!isControlType(type)) {
    throw new FrameStreamError('unknown-control-type', `unknown control type ${type}`, offset);
  }
  const contentTypes: string[] = [];
  let pos = 4;
  while (pos < body.length) {
    if (body.length - pos < 8) throw malformed('truncated field header');
    const fieldType = body.readUInt32BE(pos);
    const fieldLength = body.readUInt32BE(pos + 4);
    pos += 8;
    if (fieldType !== CONTROL_FIELD_CONTENT_TYPE) throw malformed(`unknown field type ${fieldType}`);
    if (fieldLength > MAX_CONTENT_TYPE_BYTES) throw malformed('content type too long');
    if (fieldLength > body.length - pos) throw malformed('field overruns frame');
    contentTypes.push(body.toString('utf8', pos, pos + fieldLength));
    pos += fieldLength;
  }
  if (type === ControlType.START && contentTypes.length > 1)
    throw malformed('START with several content types');
  if (type === ControlType.FINISH && contentTypes.length > 0) throw malformed('FINISH with a content type');
  return { kind: 'control', type, contentTypes, offset };
}

export function encodeDataFrame(payload: Uint8Array): Buffer {
  // A zero length would be read as the control escape, so an empty payload cannot be framed.
  if (payload.length === 0) throw new FrameStreamError('protocol', 'data frame payload must not be empty');
  if (payload.length > 0xffffffff)
    throw new FrameStreamError('data-frame-too-large', 'payload exceeds 4 GiB');
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

export function encodeControlFrame(type: ControlType, contentTypes: readonly string[] = []): Buffer {
  const fields = contentTypes.map((contentType) => {
    const bytes = Buffer.from(contentType, 'utf8');
    if (bytes.length > MAX_CONTENT_TYPE_BYTES) {
      throw new FrameStreamError('control-frame-malformed', 'content type too long');
    }
    const field = Buffer.allocUnsafe(8 + bytes.length);
    field.writeUInt32BE(CONTROL_FIELD_CONTENT_TYPE, 0);
    field.writeUInt32BE(bytes.length, 4);
    bytes.copy(field, 8);
    return field;
  });
  const bodyLength = 4 + fields.reduce((sum, field) => sum + field.length, 0);
  const header = Buffer.allocUnsafe(12);
  header.writeUInt32BE(0, 0);
  header.writeUInt32BE(bodyLength, 4);
  header.writeUInt32BE(type, 8);
  return Buffer.concat([header, ...fields]);
}
