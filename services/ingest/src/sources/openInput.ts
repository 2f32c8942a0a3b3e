import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface OpenedInput {
  /** Decompressed bytes. */
  readonly stream: Readable;
  /** Bytes read from the file so far (compressed size for .gz), for progress. */
  readonly bytesRead: () => number;
  /** File size, undefined for stdin. */
  readonly size: number | undefined;
}

/** A file (gunzipped when it ends in .gz) or stdin for `-`. */
export async function openInput(path: string, stdin: Readable = process.stdin): Promise<OpenedInput> {
  if (path === '-') {
    let read = 0;
    stdin.on('data', (chunk: Buffer) => (read += chunk.length));
    return { stream: stdin, bytesRead: () => read, size: undefined };
  }
  const { size } = await stat(path);
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  const stream = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  if (stream !== file) file.on('error', (error) => stream.destroy(error));
  return { stream, bytesRead: () => file.bytesRead, size };
}
