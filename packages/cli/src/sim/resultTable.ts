import type { PolicyResult } from './replay.js';

export interface ResultRow {
  readonly policy: string;
  readonly hitRatio: number;
  /** Share of scored requests served by a mirror placed before the request. */
  readonly proactiveRatio: number;
  readonly byteHitRatio: number;
  readonly bytesMoved: number;
  readonly dnsChanges: number;
  readonly lateMirrors: number;
  readonly requests: number;
}

export function toRow(result: PolicyResult): ResultRow {
  const ratio = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);
  return {
    policy: result.policy,
    hitRatio: ratio(result.hits, result.requests),
    proactiveRatio: ratio(result.proactiveHits, result.requests),
    byteHitRatio: ratio(result.hitBytes, result.bytes),
    bytesMoved: result.stats.bytesMoved,
    dnsChanges: result.stats.dnsChanges,
    lateMirrors: result.stats.lateMirrors,
    requests: result.requests,
  };
}

const HEADER = ['policy', 'hit ratio', 'proactive', 'byte hit', 'bytes moved', 'DNS changes', 'late mirrors'];

/** A plain-text table, one row per policy, numbers right-aligned. */
export function formatTable(rows: readonly ResultRow[]): string {
  const cells = rows.map((row) => [
    row.policy,
    row.hitRatio.toFixed(3),
    row.proactiveRatio.toFixed(3),
    row.byteHitRatio.toFixed(3),
    formatBytes(row.bytesMoved),
    String(row.dnsChanges),
    String(row.lateMirrors),
  ]);
  const widths = HEADER.map((title, c) =>
    Math.max(title.length, ...cells.map((line) => line[c]?.length ?? 0)),
  );
  const render = (line: readonly string[]): string =>
    line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  return [render(HEADER), ...cells.map(render)].join('\n');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}
