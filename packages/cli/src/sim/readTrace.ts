import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { PdmeError } from '@pdme/common/errors';
import { splitCsvLine } from './csvLine.js';
import type { Trace } from './trace.js';
import { TraceBuilder } from './traceBuilder.js';

export interface ReadTraceOptions {
  /** Ignore the cluster column: the whole trace is one cluster. */
  readonly singleCluster?: boolean;
  /** Called as the file is read, with bytes read so far and the file's size. */
  readonly onProgress?: (readBytes: number, totalBytes: number) => void;
}

const MAX_EXAMPLES = 5;
const SINGLE = 'all';

/**
 * Streams a request trace (CSV, gzip accepted) into memory. Header: `ts` (seconds since the
 * epoch, fractions allowed) and `resource` are required; `bytes` and `cluster` (or `client_group`)
 * are optional; other columns are ignored. Malformed rows are counted and skipped, rows out of
 * time order are counted and sorted into place: neither stops the replay.
 */
export async function readTrace(path: string, options: ReadTraceOptions = {}): Promise<Trace> {
  const { size } = await stat(path).catch((cause: unknown) => {
    throw new PdmeError('NOT_FOUND', `cannot read trace ${path}`, { cause });
  });
  const gzip = await isGzip(path);
  const file = createReadStream(path);
  let read = 0;
  file.on('data', (chunk: Buffer | string) => {
    read += chunk.length;
    options.onProgress?.(read, size);
  });
  const text: Readable = gzip ? file.pipe(createGunzip()) : file;
  file.on('error', (error) => text.destroy(error));
  try {
    return await parseTrace(text, path, options);
  } catch (cause) {
    if (cause instanceof PdmeError) throw cause;
    throw new PdmeError('BAD_INPUT', `cannot read trace ${path}: ${String(cause)}`, { cause });
  }
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function parseTrace(text: Readable, path: string, options: ReadTraceOptions): Promise<Trace> {
  const builder = new TraceBuilder();
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  let columns: Columns | undefined;
  let lineNo = 0;
  let rows = 0;
  let malformed = 0;
  const examples: string[] = [];
  for await (const line of lines) {
    lineNo++;
    if (columns === undefined) {
      columns = headerColumns(line.replace(/^\uFEFF/, ''), path, options.singleCluster === true);
      continue;
    }
    if (line.trim() === '') continue;
    rows++;
    const problem = addRow(builder, columns, line);
    if (problem !== undefined) {
      malformed++;
      if (examples.length < MAX_EXAMPLES) examples.push(`line ${lineNo}: ${problem}`);
    }
  }
  if (columns === undefined) throw new PdmeError('BAD_INPUT', `trace ${path} is empty (no header row)`);
  return builder.build({ rows, malformed, examples, clusterColumn: columns.clusterName });
}

interface Columns {
  readonly ts: number;
  readonly resource: number;
  readonly bytes: number | undefined;
  readonly cluster: number | undefined;
  readonly clusterName: string | undefined;
}

function headerColumns(line: string, path: string, singleCluster: boolean): Columns {
  const names = (splitCsvLine(line) ?? []).map((name) => name.trim().toLowerCase());
  const index = (name: string): number | undefined => {
    const i = names.indexOf(name);
    return i < 0 ? undefined : i;
  };
  const ts = index('ts');
  const resource = index('resource');
  if (ts === undefined || resource === undefined) {
    throw new PdmeError('BAD_INPUT', `trace ${path} needs a header with ts and resource columns`, {
      details: { header: names },
    });
  }
  const clusterName = singleCluster
    ? undefined
    : index('cluster') !== undefined
      ? 'cluster'
      : index('client_group') !== undefined
        ? 'client_group'
        : undefined;
  return {
    ts,
    resource,
    bytes: index('bytes'),
    cluster: clusterName === undefined ? undefined : index(clusterName),
    clusterName,
  };
}

/** Adds one data row; returns why it is malformed, or undefined when it was added. */
function addRow(builder: TraceBuilder, columns: Columns, line: string): string | undefined {
  const fields = splitCsvLine(line);
  if (fields === undefined) return 'unterminated quote';
  const tsText = fields[columns.ts]?.trim();
  const resource = fields[columns.resource]?.trim();
  if (tsText === undefined || resource === undefined) return `too few columns (${fields.length})`;
  const ts = Number(tsText);
  if (tsText === '' || !Number.isFinite(ts) || ts < 0) return `bad ts ${JSON.stringify(tsText)}`;
  if (resource === '') return 'empty resource';
  let bytes: number | undefined;
  const bytesText = columns.bytes === undefined ? '' : (fields[columns.bytes]?.trim() ?? '');
  if (bytesText !== '' && bytesText !== '-') {
    bytes = Number(bytesText);
    if (!Number.isFinite(bytes) || bytes < 0) return `bad bytes ${JSON.stringify(bytesText)}`;
  }
  const cluster = columns.cluster === undefined ? SINGLE : (fields[columns.cluster]?.trim() ?? '');
  if (cluster === '') return 'empty cluster';
  builder.add({ tsMs: ts * 1000, resource, bytes, cluster });
  return undefined;
}
