import { MirrorAction, MirrorOutcome } from '@pdme/common/proto';
import { ACCESS_PATH, seriesKey, totalAnswered, type SentAccess, type SentQueries } from './traffic.js';
import type { Collected } from './topicCollector.js';

/**
 * Reconciliation of one round, stage by stage, from what the harness sent and what the topic reader
 * saw. BIND's own drops (frames it never handed to PDME: dnstap disconnected) are counted apart from
 * PDME's losses. The forecaster is checked window by window: each forecast names its window
 * (first step minus one window) and its observed count, which must equal the distinct events of
 * that series and window on the query topic.
 */

export { ACCESS_PATH };

export interface RoundAccount {
  readonly fault: string;
  readonly dnsSent: number;
  readonly dnsUnanswered: number;
  /** Frames BIND dropped during the round (its DNSTAPdropped counter). */
  readonly bindDropped: number;
  /** Dnstap frames ingest read during the round (its counter, carried over its restarts). */
  readonly ingestRead: number;
  /** sent - BIND-dropped - read by ingest: frames BIND took but never delivered (its queue, a dead socket). */
  readonly notHanded: number;
  /** Distinct events of the round's resources on the query topic. */
  readonly onTopic: number;
  /** Events on the query topic more than once (same event id). */
  readonly topicDuplicates: number;
  /** Read by ingest - on topic: lost by PDME itself. */
  readonly lost: number;
  readonly accessSent: number;
  readonly accessOnTopic: number;
  readonly accessDuplicates: number;
  /** Windows whose forecast was compared with the topic, and how many disagreed (under / over). */
  readonly windowsChecked: number;
  readonly windowsUnder: number;
  readonly windowsOver: number;
  /** Forecasts published twice for the same series and window (a replay after a crash). */
  readonly forecastRepeats: number;
  readonly mirrorCommands: number;
  /** The same command id on the command topic more than once (replays; the applier must drop them). */
  readonly commandRepeats: number;
  readonly appliedResults: number;
  /** Command ids applied more than once: the harm the dedupe exists to prevent. */
  readonly duplicateApplied: number;
  readonly converged: boolean;
  readonly recoveryMs: number | undefined;
  readonly notes: string[];
}

const windowOf = (tsMs: number, windowMs: number) => Math.floor(tsMs / windowMs) * windowMs;

export function reconcileRound(input: {
  fault: string;
  resources: ReadonlySet<string>;
  sent: SentQueries;
  access: SentAccess;
  bindDropped: number;
  ingestRead: number;
  data: Collected;
  windowMs: number;
  converged: boolean;
  recoveryMs: number | undefined;
  notes?: string[];
}): RoundAccount {
  const { data, resources, windowMs } = input;
  const mine = <T extends { resource: string }>(items: readonly T[]) =>
    items.filter((e) => resources.has(e.resource));

  const queries = mine(data.queries);
  const distinct = new Map<string, (typeof queries)[number]>();
  for (const q of queries) distinct.set(q.eventId, q);
  // Only the harness's own requests: dns-updater's warm-up and HIT checks are access records too.
  const access = mine(data.access).filter((a) => a.path === ACCESS_PATH);
  const accessDistinct = new Set(access.map((a) => a.eventId));

  // Distinct events per series and window, from the topic.
  const perWindow = new Map<string, number>();
  for (const q of distinct.values()) {
    const key = `${seriesKey(q.resource, q.cluster)}|${windowOf(Number(q.tsMs), windowMs)}`;
    perWindow.set(key, (perWindow.get(key) ?? 0) + 1);
  }
  let windowsChecked = 0;
  let windowsUnder = 0;
  let windowsOver = 0;
  let forecastRepeats = 0;
  const forecastSeen = new Set<string>();
  for (const f of mine(data.forecasts)) {
    const first = f.steps[0];
    if (first === undefined) continue;
    const key = `${seriesKey(f.resource, f.cluster)}|${Number(first.tsMs) - Number(f.windowMs)}`;
    if (forecastSeen.has(key)) {
      forecastRepeats++;
      continue;
    }
    forecastSeen.add(key);
    const expected = perWindow.get(key);
    // A forecast from an external event or of a window with none of the round's events is not a count.
    if (expected === undefined) continue;
    windowsChecked++;
    if (f.observed < expected) windowsUnder++;
    if (f.observed > expected) windowsOver++;
  }

  const commands = mine(data.commands).filter((c) => c.action === MirrorAction.MIRROR_ACTION_MIRROR);
  const commandIds = new Set(mine(data.commands).map((c) => c.commandId));
  const applied = new Map<string, number>();
  for (const r of mine(data.results))
    if (r.outcome === MirrorOutcome.MIRROR_OUTCOME_APPLIED)
      applied.set(r.commandId, (applied.get(r.commandId) ?? 0) + 1);

  const dnsSent = totalAnswered(input.sent);
  let accessSent = 0;
  for (const [resource, n] of input.access.answered) if (resources.has(resource)) accessSent += n;
  return {
    fault: input.fault,
    dnsSent,
    dnsUnanswered: input.sent.unanswered,
    bindDropped: input.bindDropped,
    ingestRead: input.ingestRead,
    notHanded: dnsSent - input.bindDropped - input.ingestRead,
    onTopic: distinct.size,
    topicDuplicates: queries.length - distinct.size,
    // ingest's counter also sees frames that are not the round's (BIND's readiness probes after a
    // restart), so what it read is capped at what BIND could have handed on.
    lost: Math.min(input.ingestRead, dnsSent - input.bindDropped) - distinct.size,
    accessSent,
    accessOnTopic: accessDistinct.size,
    accessDuplicates: access.length - accessDistinct.size,
    windowsChecked,
    windowsUnder,
    windowsOver,
    forecastRepeats,
    mirrorCommands: new Set(commands.map((c) => c.commandId)).size,
    commandRepeats: mine(data.commands).length - commandIds.size,
    appliedResults: [...applied.values()].reduce((a, b) => a + b, 0),
    duplicateApplied: [...applied.values()].filter((n) => n > 1).length,
    converged: input.converged,
    recoveryMs: input.recoveryMs,
    notes: input.notes ?? [],
  };
}

const COLUMNS: [string, (r: RoundAccount) => string][] = [
  ['fault', (r) => r.fault],
  ['dns sent', (r) => String(r.dnsSent)],
  ['BIND dropped', (r) => String(r.bindDropped)],
  ['BIND kept', (r) => String(r.notHanded)],
  ['ingest read', (r) => String(r.ingestRead)],
  ['on topic', (r) => String(r.onTopic)],
  ['PDME lost', (r) => String(r.lost)],
  ['doubled', (r) => String(r.topicDuplicates)],
  ['access sent/topic', (r) => `${r.accessSent}/${r.accessOnTopic}`],
  [
    'windows ok/under/over',
    (r) => `${r.windowsChecked - r.windowsUnder - r.windowsOver}/${r.windowsUnder}/${r.windowsOver}`,
  ],
  ['fc repeats', (r) => String(r.forecastRepeats)],
  ['cmds (repeats)', (r) => `${r.mirrorCommands} (${r.commandRepeats})`],
  ['applied (dup)', (r) => `${r.appliedResults} (${r.duplicateApplied})`],
  ['converged', (r) => (r.converged ? 'yes' : 'NO')],
  ['recovery s', (r) => (r.recoveryMs === undefined ? '-' : (r.recoveryMs / 1000).toFixed(1))],
];

/** A plain-text table, one row per round. */
export function formatTable(rows: readonly RoundAccount[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const lines = cells.map((row) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const notes = rows.flatMap((r) => r.notes.map((n) => `  ${r.fault}: ${n}`));
  return [...lines, ...(notes.length > 0 ? ['notes:', ...notes] : [])].join('\n');
}
