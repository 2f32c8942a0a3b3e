import { writeFile } from 'node:fs/promises';
import { Resvg } from '@resvg/resvg-js';
import type { PolicyResult } from './replay.js';

const WIDTH = 960;
const HEIGHT = 540;
const MARGIN = { left: 64, right: 190, top: 40, bottom: 48 };
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Hit ratio per window over time, one line per policy, as SVG. */
export function hitRatioSvg(results: readonly PolicyResult[], title: string): string {
  const points = results.flatMap((r) => r.perWindow.map((p) => p.startMs));
  const t0 = Math.min(...points);
  const t1 = Math.max(...points, t0 + 1);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t: number): number => MARGIN.left + ((t - t0) / (t1 - t0)) * plotW;
  const y = (ratio: number): number => MARGIN.top + (1 - ratio) * plotH;
  const parts: string[] = [
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="16" font-family="sans-serif">${escape(title)}</text>`,
  ];
  for (let tick = 0; tick <= 10; tick += 2) {
    const ratio = tick / 10;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(ratio)}" y2="${y(ratio)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(ratio) + 4}" font-size="12" text-anchor="end" font-family="sans-serif">${ratio.toFixed(1)}</text>`,
    );
  }
  const hours = (t1 - t0) / 3_600_000;
  const step = Math.max(1, Math.ceil(hours / 12));
  for (let h = 0; h <= hours; h += step) {
    const t = t0 + h * 3_600_000;
    parts.push(
      `<text x="${x(t)}" y="${HEIGHT - MARGIN.bottom + 18}" font-size="12" text-anchor="middle" font-family="sans-serif">+${h} h</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 8}" font-size="12" text-anchor="middle" font-family="sans-serif">time since the first scored window</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  );
  results.forEach((result, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? '#000';
    const path = result.perWindow.map((p) => `${x(p.startMs).toFixed(1)},${y(p.hitRatio).toFixed(1)}`);
    if (path.length > 0) {
      parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.8" points="${path.join(' ')}"/>`);
    }
    const ly = MARGIN.top + 16 + i * 20;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 12}" x2="${WIDTH - MARGIN.right + 36}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${WIDTH - MARGIN.right + 42}" y="${ly}" font-size="13" font-family="sans-serif">${escape(result.policy)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">${parts.join('')}</svg>`;
}

export async function writeHitRatioPng(
  path: string,
  results: readonly PolicyResult[],
  title: string,
): Promise<void> {
  const png = new Resvg(hitRatioSvg(results, title), { font: { loadSystemFonts: true } }).render().asPng();
  await writeFile(path, png);
}
