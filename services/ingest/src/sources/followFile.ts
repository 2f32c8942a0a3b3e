import { open, stat, type FileHandle } from 'node:fs/promises';

export interface FollowedLine {
  readonly text: string;
  /** 1-based line number within the current file (restarts after rotation or truncation). */
  readonly line: number;
  /** Byte offset of the line in the current file. */
  readonly offset: number;
  /** Inode of the file the line came from: with the offset, a stable id across restarts. */
  readonly inode: number;
}

export interface FollowOptions {
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** Start at the end of the existing file instead of its beginning. */
  readonly fromEnd?: boolean;
  readonly chunkBytes?: number;
  /** Called when the file is replaced (rename + new file) or truncated (copytruncate). */
  readonly onReopen?: (why: 'rotated' | 'truncated' | 'appeared') => void;
}

const MAX_PARTIAL_BYTES = 1024 * 1024;

interface Cursor {
  handle: FileHandle;
  inode: number;
  offset: number;
  line: number;
  partial: Buffer;
  /** The path now names another file; this one is read to its end, then closed. */
  draining: boolean;
}

/**
 * `tail -F` as an async generator of line batches. It keeps reading the open file to its end, then
 * checks the path: another inode there means the file was rotated (the old one is drained first,
 * so lines written just before the rename are not lost); a size below our offset means it was
 * truncated (start again at 0). A missing file is waited for. Stops when the signal aborts.
 */
export async function* followFile(
  path: string,
  options: FollowOptions = {},
): AsyncGenerator<FollowedLine[], void, undefined> {
  const pollMs = options.pollMs ?? 250;
  const buffer = Buffer.alloc(options.chunkBytes ?? 256 * 1024);
  let cursor = await openCursor(path, options, options.fromEnd === true);
  try {
    while (options.signal?.aborted !== true) {
      if (cursor === undefined) {
        await pause(pollMs, options.signal);
        cursor = await openCursor(path, options, false);
        if (cursor !== undefined) options.onReopen?.('appeared');
        continue;
      }
      const { bytesRead } = await cursor.handle.read(
        buffer,
        0,
        buffer.length,
        cursor.offset + cursor.partial.length,
      );
      if (bytesRead > 0) {
        const lines = splitLines(cursor, buffer.subarray(0, bytesRead));
        if (lines.length > 0) yield lines;
        continue;
      }
      const now = await stat(path).catch(() => undefined);
      if (now !== undefined && now.ino !== cursor.inode) {
        // Lines may have reached the old file between our last read and this stat: read it to
        // its end once more before letting it go.
        if (!cursor.draining) {
          cursor.draining = true;
          continue;
        }
        // Rotated: the old file is drained (read returned 0), a last line without LF is kept.
        const last = flushPartial(cursor);
        if (last !== undefined) yield [last];
        await cursor.handle.close();
        cursor = await openCursor(path, options, false);
        options.onReopen?.('rotated');
        continue;
      }
      if (now !== undefined && now.size < cursor.offset + cursor.partial.length) {
        Object.assign(cursor, { offset: 0, line: 0, partial: Buffer.alloc(0) });
        options.onReopen?.('truncated');
        continue;
      }
      await pause(pollMs, options.signal);
    }
  } finally {
    await cursor?.handle.close();
  }
}

async function openCursor(
  path: string,
  _options: FollowOptions,
  atEnd: boolean,
): Promise<Cursor | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  const info = await handle.stat();
  return {
    handle,
    inode: info.ino,
    offset: atEnd ? info.size : 0,
    line: 0,
    partial: Buffer.alloc(0),
    draining: false,
  };
}

function splitLines(cursor: Cursor, chunk: Buffer): FollowedLine[] {
  const data = cursor.partial.length === 0 ? chunk : Buffer.concat([cursor.partial, chunk]);
  const lines: FollowedLine[] = [];
  let start = 0;
  for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
    const end = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
    cursor.line++;
    lines.push({
      text: data.toString('utf8', start, end),
      line: cursor.line,
      offset: cursor.offset + start,
      inode: cursor.inode,
    });
    start = nl + 1;
  }
  if (data.length - start > MAX_PARTIAL_BYTES) {
    // A writer that never ends its line must not grow memory without bound: cut it here (the
    // parser rejects it as too long, so it is accounted for).
    cursor.line++;
    lines.push({
      text: data.toString('utf8', start),
      line: cursor.line,
      offset: cursor.offset + start,
      inode: cursor.inode,
    });
    start = data.length;
  }
  cursor.offset += start;
  // Copied: `chunk` is the reused read buffer.
  cursor.partial = Buffer.from(data.subarray(start));
  return lines;
}

function flushPartial(cursor: Cursor): FollowedLine | undefined {
  if (cursor.partial.length === 0) return undefined;
  cursor.line++;
  const line = {
    text: cursor.partial.toString('utf8'),
    line: cursor.line,
    offset: cursor.offset,
    inode: cursor.inode,
  };
  cursor.offset += cursor.partial.length;
  cursor.partial = Buffer.alloc(0);
  return line;
}

/** A sleep that an abort ends early; unlike a plain listener, it does not pile up on the signal. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
