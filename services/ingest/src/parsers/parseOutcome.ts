/**
 * What a line parser returns. Parsers never throw: a bad line is a value with a reason, so every
 * input is accounted for (published, dead-lettered with its reason, or skipped as a header).
 */
export type ParseFailureReason =
  | 'empty'
  | 'too-long'
  | 'not-a-query'
  | 'malformed'
  | 'bad-time'
  | 'bad-address'
  | 'bad-port'
  | 'bad-name'
  | 'bad-type'
  | 'unsupported-class'
  | 'bad-json'
  | 'missing-field'
  | 'bad-field'
  | 'no-header'
  | 'no-host'
  | 'bad-request';

export type ParseOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  /** Not data and not an error: a Zeek header or comment line. */
  | { readonly kind: 'skip' }
  | { readonly kind: 'fail'; readonly reason: ParseFailureReason; readonly detail?: string };

export const ok = <T>(value: T): ParseOutcome<T> => ({ kind: 'ok', value });
export const skip = <T>(): ParseOutcome<T> => ({ kind: 'skip' });
export const fail = <T>(reason: ParseFailureReason, detail?: string): ParseOutcome<T> =>
  detail === undefined ? { kind: 'fail', reason } : { kind: 'fail', reason, detail };

/** A DNS query as a text source reports it; `QueryObservation` adds where it came from. */
export interface ParsedQuery {
  readonly tsMs: number;
  readonly qname: string;
  readonly qtype: string;
  /** Raw client address: personal data, for anonymization inside ingest only. */
  readonly clientAddress: string | undefined;
  readonly ecsAddress?: string | undefined;
}

/** One cache access as nginx logs it; `AccessObservation` adds where it came from. */
export interface ParsedAccess {
  readonly tsMs: number;
  /** The Host the client asked for: the resource. */
  readonly host: string;
  /** Path only: query strings are dropped, they may carry personal data. */
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
  /** nginx $upstream_cache_status (HIT, MISS, ...), '' when the log has none. */
  readonly cacheStatus: string;
  readonly userAgent: string;
  readonly clientAddress: string | undefined;
  /** The cache server that wrote the line, when the line says so. */
  readonly server: string | undefined;
}

/** Longest line any parser looks at; longer ones are rejected before any work (64 KiB). */
export const MAX_LINE_LENGTH = 65_536;
