/**
 * Frame Streams files (`dnstap-output file "..."`, `fstrm_capture -w`, `dnstap -w`): one
 * unidirectional stream, START, data frames, STOP. Read in chunks so file size does not matter.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import {
  ControlType,
  DNSTAP_CONTENT_TYPE,
  encodeControlFrame,
  encodeDataFrame,
  FrameDecoder,
  type FrameDecoderOptions,
  FrameStreamError,
} from './frameStreams.js';

export type FstrmRecord = {
  payload: Buffer;
  /** Byte offset of the frame in the file, so a bad record can be dead-lettered as file:offset. */
  offset: number;
};

export type ReadFstrmOptions = FrameDecoderOptions & {
  /** Expected content type (default dnstap); checked only when START names one, as naming it is optional. */
  contentType?: string;
  highWaterMark?: number;
};

/**
 * Yields data frames in order. Throws FrameStreamError (with the offset) for a malformed file.
 * A file that ends at a frame boundary without STOP (writer killed, or still being written) yields
 * everything it holds; a file cut inside a frame throws 'truncated' after the complete frames.
 */
export async function* readFstrmFile(
  path: string,
  options: ReadFstrmOptions = {},
): AsyncGenerator<FstrmRecord, void, undefined> {
  const decoder = new FrameDecoder(options);
  const contentType = options.contentType ?? DNSTAP_CONTENT_TYPE;
  let started = false;
  // for await destroys the stream if the consumer stops early, so the file handle is not leaked.
  for await (const chunk of createReadStream(path, { highWaterMark: options.highWaterMark ?? 64 * 1024 })) {
    if (!Buffer.isBuffer(chunk)) throw new TypeError('expected Buffer chunks');
    decoder.push(chunk);
    for (let frame = decoder.next(); frame; frame = decoder.next()) {
      if (frame.kind === 'data') {
        if (!started) throw new FrameStreamError('protocol', 'data frame before START', frame.offset);
        yield { payload: frame.payload, offset: frame.offset };
      } else if (frame.type === ControlType.START && !started) {
        const offered = frame.contentTypes[0];
        if (offered !== undefined && offered !== contentType) {
          throw new FrameStreamError(
            'protocol',
            `content type ${offered}, expected ${contentType}`,
            frame.offset,
          );
        }
        started = true;
      } else if (frame.type === ControlType.STOP && started) {
        return;
      } else {
        throw new FrameStreamError(
          'protocol',
          `unexpected control frame ${frame.type} in a file`,
          frame.offset,
        );
      }
    }
  }
  decoder.end();
  if (!started) throw new FrameStreamError('protocol', 'file has no START frame', 0);
}

export type WriteFstrmOptions = { contentType?: string };

/** Writes START, one data frame per payload, STOP; streams, so payloads may be a large generator. */
export async function writeFstrmFile(
  path: string,
  payloads: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: WriteFstrmOptions = {},
): Promise<{ frames: number; bytes: number }> {
  let frames = 0;
  let bytes = 0;
  async function* frameBytes(): AsyncGenerator<Buffer> {
    const start = encodeControlFrame(ControlType.START, [options.contentType ?? DNSTAP_CONTENT_TYPE]);
    bytes += start.length;
    yield start;
    for await (const payload of payloads) {
      const frame = encodeDataFrame(payload);
      frames++;
      bytes += frame.length;
      yield frame;
    }
    const stop = encodeControlFrame(ControlType.STOP);
    bytes += stop.length;
    yield stop;
  }
  await pipeline(frameBytes, createWriteStream(path));
  return { frames, bytes };
}
