import { Source } from '@pdme/common/proto';
import { parseBindQueryLine } from './parsers/bindQueryLog.js';
import { parseJsonQueryLine } from './parsers/jsonQueryLine.js';
import type { LogTimeZone } from './parsers/logTime.js';
import { parseCombinedLine, parseNginxJsonLine } from './parsers/nginxAccessLog.js';
import type { ParsedAccess, ParsedQuery, ParseOutcome } from './parsers/parseOutcome.js';
import { ZeekDnsLogParser } from './parsers/zeekDnsLog.js';

export const INPUT_FORMATS = ['bind', 'json', 'nginx', 'zeek', 'fstrm'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
export type LineFormat = Exclude<InputFormat, 'fstrm'>;

export interface LineFormatOptions {
  readonly timeZone: LogTimeZone;
  /** nginx combined lines: the Host of requests whose target is a path. */
  readonly defaultHost?: string | undefined;
  /** nginx: the cache server that wrote the file, when its lines do not say. */
  readonly server?: string | undefined;
}

export type LineParser =
  | {
      readonly kind: 'query';
      readonly format: LineFormat;
      readonly source: Source;
      readonly parse: (line: string) => ParseOutcome<ParsedQuery>;
    }
  | {
      readonly kind: 'access';
      readonly format: LineFormat;
      readonly parse: (line: string) => ParseOutcome<ParsedAccess>;
    };

/** A parser for one input (Zeek's is stateful: make a new one per file). */
export function lineParserFor(format: LineFormat, options: LineFormatOptions): LineParser {
  switch (format) {
    case 'bind':
      return {
        kind: 'query',
        format,
        source: Source.SOURCE_BIND_QUERYLOG,
        parse: (line) => parseBindQueryLine(line, options),
      };
    case 'json':
      return { kind: 'query', format, source: Source.SOURCE_JSON, parse: parseJsonQueryLine };
    case 'zeek': {
      // The proto has no Zeek source yet; Zeek logs are only ever imported, hence BACKFILL.
      const zeek = new ZeekDnsLogParser();
      return { kind: 'query', format, source: Source.SOURCE_BACKFILL, parse: (line) => zeek.parse(line) };
    }
    case 'nginx':
      return {
        kind: 'access',
        format,
        // Our caches write JSON; anything else is taken as combined.
        parse: (line) =>
          line.trimStart().startsWith('{') ? parseNginxJsonLine(line) : parseCombinedLine(line, options),
      };
  }
}

/**
 * Guesses a file's format from its name and first line: `.fstrm`/`.dnstap` files, Zeek's
 * `#separator` header, JSON with `qname` (queries) or `uri` (nginx), BIND's ` query: `, nginx combined.
 */
export function detectFormat(path: string, firstLine: string | undefined): InputFormat | undefined {
  if (/\.(fstrm|dnstap|tap)$/i.test(path)) return 'fstrm';
  const line = firstLine?.trim() ?? '';
  if (line.startsWith('#separator') || line.startsWith('#fields')) return 'zeek';
  if (line.startsWith('{')) {
    if (line.includes('"qname"')) return 'json';
    if (line.includes('"uri"')) return 'nginx';
    return undefined;
  }
  if (line.includes(' query: ') && line.includes('client ')) return 'bind';
  if (/^\S+ \S+ \S+ \[[^\]]+\] "/.test(line)) return 'nginx';
  return undefined;
}
