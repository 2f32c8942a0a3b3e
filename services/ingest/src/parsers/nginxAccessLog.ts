/**
 * nginx access logs, two formats:
 *
 * - `combined`: `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 *   "$http_referer" "$http_user_agent"`, optionally followed by more fields (ignored). It has no Host
 *   and no cache status: the host comes from an absolute request URI or the `defaultHost` option
 *   (else the line is rejected as `no-host`), the cache status is ''.
 * - `json`: what our caches write (deploy/local/nginx/cache.conf, `pdme_json`): `time` ($msec),
 *   `host`, `uri`, `status`, `bytes`, `upstream_cache_status`, `user_agent`, `remote_addr`, `server`.
 *
 * Query strings are dropped from paths: they may carry personal data and do not name a resource.
 */
import { isIP } from 'node:net';
import { epochNumberToMs, parseNginxTime } from './logTime.js';
import { fail, MAX_LINE_LENGTH, ok, type ParsedAccess, type ParseOutcome } from './parseOutcome.js';

export interface CombinedLogOptions {
  /** Host for requests whose target is a path (nginx combined does not log Host). */
  readonly defaultHost?: string | undefined;
  /** The cache server that wrote this log, when the caller knows (combined lines do not say). */
  readonly server?: string | undefined;
}

const COMBINED =
  /^(\S+) \S+ \S+ \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)"(?: .*)?$/;
const HOST = /^[a-z0-9_]([a-z0-9_.-]{0,252})$/i;

export function parseCombinedLine(raw: string, options: CombinedLogOptions = {}): ParseOutcome<ParsedAccess> {
  const line = raw.trimEnd();
  if (line.length === 0) return fail('empty');
  if (line.length > MAX_LINE_LENGTH) return fail('too-long');
  const m = COMBINED.exec(line);
  if (m === null) return fail('malformed');
  const [, remote = '', time = '', request = '', status = '', bytes = '', userAgent = ''] = m;
  if (isIP(remote) === 0) return fail('bad-address');
  const tsMs = parseNginxTime(time);
  if (tsMs === undefined) return fail('bad-time');
  const target = requestTarget(request);
  if (target === undefined) return fail('bad-request');
  const host = target.host ?? options.defaultHost;
  if (host === undefined) return fail('no-host');
  if (!HOST.test(host)) return fail('bad-field', 'host');
  return ok({
    tsMs,
    host: host.toLowerCase(),
    path: target.path,
    status: Number(status),
    bytes: bytes === '-' ? 0 : Number(bytes),
    cacheStatus: '',
    userAgent: unescapeNginx(userAgent),
    clientAddress: remote,
    server: options.server,
  });
}

/** `GET /a?b HTTP/1.1` or `GET http://host/a HTTP/1.1` to host and path without the query. */
function requestTarget(request: string): { host?: string; path: string } | undefined {
  const parts = request.split(' ');
  if (parts.length !== 3 || !/^[A-Z]{3,10}$/.test(parts[0] ?? '')) return undefined;
  const target = parts[1] ?? '';
  if (target.startsWith('/')) return { path: pathOnly(target) };
  const absolute = /^https?:\/\/([^/:?#]+)(?::\d+)?(\/[^\s]*)?$/i.exec(target);
  if (absolute === null) return undefined;
  return { host: absolute[1] ?? '', path: pathOnly(absolute[2] ?? '/') };
}

function pathOnly(target: string): string {
  const q = target.search(/[?#]/);
  return q < 0 ? target : target.slice(0, q);
}

/** nginx escapes `"` and `\` and non-printable bytes as `\xHH` in the default (non-JSON) escaping. */
function unescapeNginx(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\x([0-9a-fA-F]{2})|\\(.)/g, (_, hex: string | undefined, c: string | undefined) =>
    hex === undefined ? (c ?? '') : String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

export function parseNginxJsonLine(raw: string): ParseOutcome<ParsedAccess> {
  const line = raw.trim();
  if (line.length === 0) return fail('empty');
  if (line.length > MAX_LINE_LENGTH) return fail('too-long');
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return fail('bad-json');
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return fail('bad-json');
  const f = record as Record<string, unknown>;
  const time = f['time'];
  const host = f['host'];
  const uri = f['uri'];
  const status = f['status'];
  if (time === undefined || host === undefined || uri === undefined || status === undefined) {
    return fail('missing-field');
  }
  const tsMs = typeof time === 'number' ? epochNumberToMs(time) : undefined;
  if (tsMs === undefined) return fail('bad-time');
  if (typeof host !== 'string' || !HOST.test(host)) return fail('bad-field', 'host');
  if (typeof uri !== 'string' || !uri.startsWith('/')) return fail('bad-field', 'uri');
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 999) {
    return fail('bad-field', 'status');
  }
  const bytes = f['bytes'] ?? 0;
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0)
    return fail('bad-field', 'bytes');
  const remote = f['remote_addr'];
  if (remote !== undefined && (typeof remote !== 'string' || isIP(remote) === 0)) {
    return fail('bad-address');
  }
  const cacheStatus = stringField(f['upstream_cache_status']);
  const userAgent = stringField(f['user_agent']);
  const server = stringField(f['server']);
  if (cacheStatus === undefined || userAgent === undefined || server === undefined) {
    return fail('bad-field', 'not a string');
  }
  return ok({
    tsMs,
    host: host.toLowerCase(),
    path: pathOnly(uri),
    status,
    bytes,
    cacheStatus: cacheStatus === '-' ? '' : cacheStatus,
    userAgent: userAgent === '-' ? '' : userAgent,
    clientAddress: remote,
    server: server === '' ? undefined : server,
  });
}

/** Absent or string: nginx writes '' for an unset variable in JSON escaping. */
function stringField(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : undefined;
}
