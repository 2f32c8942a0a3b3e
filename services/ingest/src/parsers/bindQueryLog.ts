/**
 * BIND 9 query-log lines (`logging { category queries { ... }; }`), from 9.9 to 9.20:
 *
 *   24-Mar-2018 17:15:20.865 client @0x7f0c1c0 192.0.2.1#53000 (a.example): query: a.example IN A +E(0)K (192.0.2.53)
 *   24-Mar-2018 17:15:20.865 queries: info: client 192.0.2.1#53000 (a.example): view c1: query: a.example IN A + (192.0.2.53) [ECS 198.51.100.0/24/0]
 *
 * The `@0x...` client object, the `(name)` hint, `category: severity:` (print-category /
 * print-severity), the view and the ECS suffix are all optional. Time is BIND's default
 * `DD-Mon-YYYY HH:MM:SS.mmm`, read in the zone the caller names (BIND writes local time), or ISO
 * 8601 (`print-time iso8601[-utc]`), whose explicit offset wins. Lines without a time (syslog
 * output) are rejected as `bad-time`: the year is not in them. Only class IN is demand; CH and HS
 * queries are rejected as `unsupported-class`.
 */
import { isIP } from 'node:net';
import { isPrintedName, isTypeMnemonic } from './dnsName.js';
import { parseBindTime, parseIsoTime, plausibleMs, type LogTimeZone } from './logTime.js';
import { fail, MAX_LINE_LENGTH, ok, type ParsedQuery, type ParseOutcome } from './parseOutcome.js';

export interface BindQueryLogOptions {
  readonly timeZone: LogTimeZone;
}

const CLIENT_PART = /^(?:@0x[0-9a-fA-F]+ )?([^\s#]+)#(\d{1,5})(?: \([^)]*\))?:(?: view [^:]*:)?$/;
const QUERY_PART = /^(\S+) (\S+) (\S+) ([-+]\S*) \([^)]*\)(?: \[ECS ([^\]/\s]+)\/(\d{1,3})\/(\d{1,3})\])?$/;

export function parseBindQueryLine(raw: string, options: BindQueryLogOptions): ParseOutcome<ParsedQuery> {
  const line = raw.trimEnd();
  if (line.length === 0) return fail('empty');
  if (line.length > MAX_LINE_LENGTH) return fail('too-long');
  const queryAt = line.indexOf(' query: ');
  if (queryAt < 0) return fail('not-a-query');
  const clientAt = line.lastIndexOf('client ', queryAt);
  if (clientAt < 0) return fail('malformed', 'no client');

  const tsMs = plausibleMs(timeOf(line.slice(0, clientAt), options.timeZone));
  if (tsMs === undefined) return fail('bad-time');

  const client = CLIENT_PART.exec(line.slice(clientAt + 7, queryAt));
  if (client === null) return fail('malformed', 'client part');
  const clientAddress = client[1] ?? '';
  if (isIP(clientAddress) === 0) return fail('bad-address');
  if (Number(client[2]) > 65_535) return fail('bad-port');

  const query = QUERY_PART.exec(line.slice(queryAt + 8));
  if (query === null) return fail('malformed', 'query part');
  const [, qname = '', qclass, qtype = '', , ecsAddress] = query;
  if (!isPrintedName(qname)) return fail('bad-name');
  if (qclass !== 'IN') return fail('unsupported-class', qclass);
  if (!isTypeMnemonic(qtype)) return fail('bad-type');
  if (ecsAddress !== undefined && isIP(ecsAddress) === 0) return fail('bad-address', 'ecs');
  return ok({ tsMs, qname, qtype, clientAddress, ecsAddress });
}

/** The text before `client `: a time, then optional `category:` and `severity:` words. */
function timeOf(head: string, zone: LogTimeZone): number | undefined {
  const words = head.trim().split(' ');
  while (words.length > 0 && (words.at(-1) ?? '').endsWith(':')) words.pop();
  const text = words.join(' ');
  if (text === '') return undefined;
  return words.length === 2 ? parseBindTime(text, zone) : parseIsoTime(text, zone);
}
