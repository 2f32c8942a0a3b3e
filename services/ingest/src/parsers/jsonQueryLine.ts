/**
 * JSON lines, one query per line. Schema (documented in services/ingest/README.md):
 *
 *   {"ts": 1521911720.865, "qname": "a.example.", "qtype": "A", "client": "192.0.2.1", "ecs": "198.51.100.0/24"}
 *
 * - `ts` (required): epoch seconds (fraction allowed), epoch milliseconds when 1e11 or more, or an
 *   ISO 8601 string (UTC unless it carries an offset).
 * - `qname` (required): the query name in presentation format.
 * - `qtype` (required): a mnemonic (`A`, `HTTPS`, `TYPE65`) or the numeric type.
 * - `client` (optional): the client address; without it the event has no client and the default cluster.
 * - `ecs` (optional): EDNS client subnet, `address` or `address/prefix`.
 * Other fields are ignored.
 */
import { isIP } from 'node:net';
import { isPrintedName, isTypeMnemonic } from './dnsName.js';
import { epochNumberToMs, parseIsoTime, plausibleMs } from './logTime.js';
import { fail, MAX_LINE_LENGTH, ok, type ParsedQuery, type ParseOutcome } from './parseOutcome.js';

/** Numeric types seen in practice; others print as RFC 3597 `TYPE<n>`, as the dnstap decoder does. */
const TYPE_NAMES = new Map<number, string>([
  [1, 'A'],
  [2, 'NS'],
  [5, 'CNAME'],
  [6, 'SOA'],
  [12, 'PTR'],
  [15, 'MX'],
  [16, 'TXT'],
  [28, 'AAAA'],
  [33, 'SRV'],
  [35, 'NAPTR'],
  [43, 'DS'],
  [48, 'DNSKEY'],
  [64, 'SVCB'],
  [65, 'HTTPS'],
  [255, 'ANY'],
  [257, 'CAA'],
]);

export function parseJsonQueryLine(raw: string): ParseOutcome<ParsedQuery> {
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
  const fields = record as Record<string, unknown>;
  const { ts, qname, qtype, client, ecs } = {
    ts: fields['ts'],
    qname: fields['qname'],
    qtype: fields['qtype'],
    client: fields['client'],
    ecs: fields['ecs'],
  };
  if (ts === undefined || qname === undefined || qtype === undefined) return fail('missing-field');

  const tsMs =
    typeof ts === 'number'
      ? epochNumberToMs(ts)
      : typeof ts === 'string'
        ? plausibleMs(parseIsoTime(ts, 'utc'))
        : undefined;
  if (tsMs === undefined) return fail('bad-time');
  if (typeof qname !== 'string' || !isPrintedName(qname)) return fail('bad-name');
  const type = typeText(qtype);
  if (type === undefined) return fail('bad-type');
  if (client !== undefined && client !== null && (typeof client !== 'string' || isIP(client) === 0)) {
    return fail('bad-address', 'client');
  }
  const ecsAddress = ecsAddressOf(ecs);
  if (ecsAddress === false) return fail('bad-address', 'ecs');
  return ok({
    tsMs,
    qname,
    qtype: type,
    clientAddress: typeof client === 'string' ? client : undefined,
    ecsAddress,
  });
}

function typeText(qtype: unknown): string | undefined {
  if (typeof qtype === 'string') {
    const upper = qtype.toUpperCase();
    return isTypeMnemonic(upper) ? upper : undefined;
  }
  if (typeof qtype === 'number' && Number.isInteger(qtype) && qtype >= 0 && qtype <= 65_535) {
    return TYPE_NAMES.get(qtype) ?? `TYPE${qtype}`;
  }
  return undefined;
}

/** The ECS network address, undefined when absent, false when present but not an address. */
function ecsAddressOf(ecs: unknown): string | undefined | false {
  if (ecs === undefined || ecs === null) return undefined;
  if (typeof ecs !== 'string') return false;
  const [address = '', prefix, extra] = ecs.split('/');
  if (extra !== undefined || isIP(address) === 0) return false;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return false;
  return address;
}
