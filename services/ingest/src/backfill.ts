import { resolve } from 'node:path';
import { Source } from '@pdme/common/proto';
import { TOPICS } from '@pdme/common/topics';
import type { AccessEventContext } from './accessEvents.js';
import { redactedFramePayload } from './deadLetterPayload.js';
import { decodeDnstap } from './dnstap/dnstapDecode.js';
import { FrameStreamError } from './dnstap/frameStreams.js';
import { readFstrmFile } from './dnstap/fstrmFile.js';
import type { EventSink } from './eventSink.js';
import { detectFormat, lineParserFor, type InputFormat, type LineFormatOptions } from './lineFormats.js';
import { LineIngester } from './lineIngester.js';
import { dnstapSourceId, toQueryEvent } from './queryEvents.js';
import { openInput } from './sources/openInput.js';
import { readLineBatches } from './sources/readLines.js';

export interface BackfillOptions extends LineFormatOptions {
  readonly format: InputFormat | 'auto';
  readonly sink: EventSink;
  readonly context: AccessEventContext;
  /** Called now and then with bytes read over all files so far. */
  readonly onProgress?: (bytesRead: number) => void;
}

export interface FileResult {
  readonly path: string;
  readonly format: InputFormat | undefined;
  /** A file that could not be read to its end (missing, unknown format, broken Frame Streams). */
  readonly error?: string;
}

/**
 * Reads files (or `-` for stdin) in order into the sink. Lines and frames that do not parse go to
 * the DLQ with `file:line` (`file@offset` for .fstrm) and the reason; a file that cannot be read at
 * all is reported in its result and the next file is read.
 */
export async function backfillFiles(
  paths: readonly string[],
  options: BackfillOptions,
): Promise<FileResult[]> {
  const results: FileResult[] = [];
  let doneBytes = 0;
  for (const path of paths) {
    let bytes = 0;
    try {
      const format = options.format === 'auto' ? await sniffFormat(path) : options.format;
      if (format === undefined) {
        results.push({ path, format, error: 'cannot tell the format; pass --format' });
        continue;
      }
      const progress = (read: number): void => {
        bytes = read;
        options.onProgress?.(doneBytes + read);
      };
      const error =
        format === 'fstrm'
          ? await backfillFstrm(path, options, progress)
          : await backfillLines(path, format, options, progress);
      results.push(error === undefined ? { path, format } : { path, format, error });
    } catch (error) {
      results.push({
        path,
        format: undefined,
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      doneBytes += bytes;
    }
  }
  await options.sink.flush();
  return results;
}

async function backfillLines(
  path: string,
  format: Exclude<InputFormat, 'fstrm'>,
  options: BackfillOptions,
  progress: (bytesRead: number) => void,
): Promise<undefined> {
  const ingester = new LineIngester(lineParserFor(format, options), options.sink, options.context);
  const input = await openInput(path);
  const name = path === '-' ? 'stdin' : resolve(path);
  let line = 0;
  for await (const batch of readLineBatches(input.stream)) {
    for (const text of batch) {
      line++;
      const where = `${name}:${line}`;
      await ingester.line(text, { origin: where, sourceId: `file:${where}` });
    }
    progress(input.bytesRead());
  }
  return undefined;
}

async function backfillFstrm(
  path: string,
  options: BackfillOptions,
  progress: (bytesRead: number) => void,
): Promise<string | undefined> {
  const { sink, context } = options;
  const name = resolve(path);
  try {
    for await (const record of readFstrmFile(path)) {
      sink.counts.read++;
      const decoded = decodeDnstap(record.payload, { messageTypes: QUERY_TYPES });
      if (!decoded.ok) {
        await sink.reject({
          sourceTopic: TOPICS.dnsQueries,
          origin: `${name}@${record.offset}`,
          reason: `dnstap ${decoded.reason}`,
          detail: decoded.detail,
          payload: redactedFramePayload(record.payload),
        });
      } else {
        const observation = {
          tsMs: decoded.tsMs,
          qname: decoded.qname,
          qtype: decoded.qtype,
          clientAddress: decoded.clientAddress,
          ecsAddress: decoded.ecs?.address,
          source: Source.SOURCE_DNSTAP,
          // The live listener's id: a frame seen live and again in a file is the same event.
          sourceId: dnstapSourceId(record.payload),
        };
        await sink.query(toQueryEvent(observation, context.anonymizer, context.clusters));
      }
      if ((sink.counts.read & 0xfff) === 0) progress(record.offset);
    }
  } catch (error) {
    if (error instanceof FrameStreamError) return `Frame Streams: ${error.message}`;
    throw error;
  }
  return undefined;
}

/** BIND logs each query once as CLIENT_QUERY (recursive) or AUTH_QUERY (authoritative). */
const QUERY_TYPES = new Set(['AUTH_QUERY', 'CLIENT_QUERY'] as const);

async function sniffFormat(path: string): Promise<InputFormat | undefined> {
  if (detectFormat(path, undefined) === 'fstrm') return 'fstrm';
  if (path === '-') return undefined;
  const input = await openInput(path);
  try {
    for await (const batch of readLineBatches(input.stream)) {
      const first = batch.find((line) => line.trim() !== '');
      if (first !== undefined) return detectFormat(path, first);
    }
    return undefined;
  } finally {
    input.stream.destroy();
  }
}
