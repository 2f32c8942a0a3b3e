import type { FileEvaluation } from './evaluateFiles.js';

const fixed = (value: number, digits = 3): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** One table per series: a row per model, the selected model marked, then the selection rows. */
export function formatEvaluation(evaluation: FileEvaluation): string {
  const e = evaluation;
  const lines = [
    `${e.file}: step ${e.stepSeconds} s, season ${e.season}, horizon ${e.horizon}, ` +
      `${e.points} steps (${e.trainPoints} train, ${e.points - e.trainPoints} held out), ${e.missing} missing`,
  ];
  const header = ['model', 'MASE', 'WAPE', 'p90 cover', 'train MASE', ''];
  const rows: string[][] = e.models.map((m) => [
    m.model,
    fixed(m.mase),
    fixed(m.wape),
    fixed(m.coverage90),
    fixed(m.selectionMase),
    e.selected.includes(m.model) ? '<- selected' : '',
  ]);
  rows.push([
    `selected: mean of ${e.selected.join(' + ')}`,
    fixed(e.selectedScore.mase),
    fixed(e.selectedScore.wape),
    fixed(e.selectedScore.coverage90),
    '',
    '',
  ]);
  rows.push([
    're-selected as errors drift',
    fixed(e.adaptiveScore.mase),
    fixed(e.adaptiveScore.wape),
    '-',
    '',
    '',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const render = (cells: string[]) =>
    cells
      .map((cell, c) =>
        c === 0 || c === cells.length - 1 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0),
      )
      .join('  ')
      .trimEnd();
  lines.push(render(header), ...rows.map(render));
  if (e.skipped.length > 0) lines.push(`not enough history for: ${e.skipped.join(', ')}`);
  return lines.join('\n');
}
