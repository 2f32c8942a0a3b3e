import type { Readable } from 'node:stream';

/**
 * Splits a byte stream into lines (LF or CRLF; a last line without LF counts), one array per
 * chunk: a million-line file costs a few hundred awaits, not a million. The stream is read only
 * as fast as the consumer asks, so a slow consumer pauses the file (back-pressure).
 */
export async function* readLineBatches(stream: Readable): AsyncGenerator<string[], void, undefined> {
  let rest = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) {
    if (typeof chunk !== 'string') throw new TypeError('readLineBatches: expected text chunks');
    const text = rest + chunk;
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      lines.push(text.slice(start, end));
      start = nl + 1;
    }
    rest = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  if (rest.length > 0) yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}
