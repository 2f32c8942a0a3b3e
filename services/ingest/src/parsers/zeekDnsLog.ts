/**
 * Zeek `dns.log` in its default TSV form. The `#fields` header names the columns, so the parser
 * is stateful: one instance per file. Headers and comments are skipped; rows before `#fields` are
 * rejected as `no-header`. Used columns: `ts`, `id.orig_h` (client), `query`, `qclass`,
 * `qtype_name` (or `qtype`). Rows without a query (`-`) are rejected as `bad-name`.
 */
import { isIP } from 'node:net';
import { isPrintedName, isTypeMnemonic } from './dnsName.js';
import { epochNumberToMs } from './logTime.js';
import { fail, MAX_LINE_LENGTH, ok, skip, type ParsedQuery, type ParseOutcome } from './parseOutcome.js';

interface Columns {
  readonly ts: number;
  readonly client: number;
  readonly query: number;
  readonly qclass: number | undefined;
  readonly qtypeName: number | undefined;
  readonly qtype: number | undefined;
  readonly count: number;
}

export class ZeekDnsLogParser {
  private columns: Columns | undefined;
  private separator = '\t';

  parse(raw: string): ParseOutcome<ParsedQuery> {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0) return fail('empty');
    if (line.length > MAX_LINE_LENGTH) return fail('too-long');
    if (line.startsWith('#')) return this.header(line);
    const columns = this.columns;
    if (columns === undefined) return fail('no-header');
    const cells = line.split(this.separator);
    if (cells.length !== columns.count) return fail('malformed', `${cells.length} columns`);
    const tsMs = epochNumberToMs(Number(cells[columns.ts]));
    if (tsMs === undefined) return fail('bad-time');
    const client = cells[columns.client] ?? '';
    if (isIP(client) === 0) return fail('bad-address');
    const qname = cells[columns.query] ?? '-';
    if (qname === '-' || qname === '(empty)' || !isPrintedName(qname)) return fail('bad-name');
    const qclass = columns.qclass === undefined ? '1' : cells[columns.qclass];
    if (qclass !== '1' && qclass !== '-') return fail('unsupported-class', qclass);
    const qtype = this.qtypeOf(cells, columns);
    if (qtype === undefined) return fail('bad-type');
    return ok({ tsMs, qname, qtype, clientAddress: client });
  }

  private header(line: string): ParseOutcome<ParsedQuery> {
    if (line.startsWith('#separator ')) {
      const value = line.slice('#separator '.length);
      this.separator = value.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      );
      if (this.separator.length === 0) return fail('malformed', 'empty separator');
    } else if (line.startsWith(`#fields${this.separator}`)) {
      const names = line.split(this.separator).slice(1);
      const at = (name: string): number | undefined => {
        const i = names.indexOf(name);
        return i < 0 ? undefined : i;
      };
      const ts = at('ts');
      const client = at('id.orig_h');
      const query = at('query');
      if (ts === undefined || client === undefined || query === undefined) {
        this.columns = undefined;
        return fail('no-header', 'fields lack ts, id.orig_h or query');
      }
      this.columns = {
        ts,
        client,
        query,
        qclass: at('qclass'),
        qtypeName: at('qtype_name'),
        qtype: at('qtype'),
        count: names.length,
      };
    }
    return skip();
  }

  private qtypeOf(cells: readonly string[], columns: Columns): string | undefined {
    const name = columns.qtypeName === undefined ? undefined : cells[columns.qtypeName];
    if (name !== undefined && name !== '-' && isTypeMnemonic(name)) return name;
    const number = columns.qtype === undefined ? undefined : cells[columns.qtype];
    if (number !== undefined && /^\d{1,5}$/.test(number) && Number(number) <= 65_535) {
      return `TYPE${number}`;
    }
    return undefined;
  }
}
