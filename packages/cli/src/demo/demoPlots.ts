import { writeFile } from 'node:fs/promises';
import { Resvg } from '@resvg/resvg-js';
import { writeHitRatioPng } from '../sim/hitRatioPlot.js';
import type { PolicyResult } from '../sim/replay.js';
import type { ForecastSeries, RunSummary } from './runSummary.js';

/** A run as the simulator's plot takes it: hit ratio per bucket over trace time. */
function asPolicyResult(run: RunSummary, name: string): PolicyResult {
  return {
    policy: name,
    requests: run.planned,
    hits: run.outcomes.hit,
    proactiveHits: run.viaMirrorHits,
    bytes: run.traceBytes,
    hitBytes: run.traceBytes - run.traceBytesMissed,
    stats: {
      bytesMoved: run.origin.bytes,
      dnsChanges: run.pipeline.dnsChanges,
      lateMirrors: run.pipeline.lateMirrors,
    },
    perWindow: run.buckets
      .filter((b) => b.requests > 0)
      .map((b) => ({ startMs: b.traceMs, hitRatio: b.hit / b.requests })),
  };
}

/** Hit ratio over (trace) time with and without PDME, drawn by the simulator's plot. */
export async function writeDemoHitRatioPng(
  path: string,
  runs: readonly RunSummary[],
  title: string,
): Promise<void> {
  const names: Record<RunSummary['mode'], string> = {
    pdme: 'with PDME',
    reactive: 'caches only',
  };
  await writeHitRatioPng(
    path,
    runs.map((run) => asPolicyResult(run, names[run.mode])),
    title,
  );
}

const W = 960;
const H = 540;
const M = { left: 64, right: 250, top: 40, bottom: 48 };
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Requests per forecaster window (solid) against the forecast for that window (dashed), as SVG. */
export function forecastSvg(series: readonly ForecastSeries[], startMs: number, title: string): string {
  const all = series.flatMap((s) => s.points);
  const t1 = Math.max(startMs + 1_000, ...all.map((p) => p.tsMs));
  const top = Math.max(1, ...all.map((p) => Math.max(p.actual, p.forecast ?? 0)));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (t: number): number => M.left + ((t - startMs) / (t1 - startMs)) * plotW;
  const y = (v: number): number => M.top + (1 - v / top) * plotH;
  const parts = [
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="24" font-size="16" font-family="sans-serif">${escape(title)}</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    parts.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${M.left - 8}" y="${y(v) + 4}" font-size="12" text-anchor="end" font-family="sans-serif">${v.toFixed(0)}</text>`,
    );
  }
  const seconds = (t1 - startMs) / 1000;
  const step = Math.max(5, Math.ceil(seconds / 10 / 5) * 5);
  for (let s = 0; s <= seconds; s += step) {
    parts.push(
      `<text x="${x(startMs + s * 1000)}" y="${H - M.bottom + 18}" font-size="12" text-anchor="middle" font-family="sans-serif">${s} s</text>`,
    );
  }
  parts.push(
    `<text x="${M.left + plotW / 2}" y="${H - 8}" font-size="12" text-anchor="middle" font-family="sans-serif">time since the run started; requests per forecaster window</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? '#000';
    const actual = s.points.map((p) => `${x(p.tsMs).toFixed(1)},${y(p.actual).toFixed(1)}`);
    const forecast = s.points
      .filter((p) => p.forecast !== undefined)
      .map((p) => `${x(p.tsMs).toFixed(1)},${y(p.forecast ?? 0).toFixed(1)}`);
    if (actual.length > 0)
      parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${actual.join(' ')}"/>`);
    if (forecast.length > 0) {
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" stroke-dasharray="6 4" points="${forecast.join(' ')}"/>`,
      );
    }
    // Markers too: a crowd may span a single window.
    for (const p of s.points) {
      parts.push(
        `<circle cx="${x(p.tsMs).toFixed(1)}" cy="${y(p.actual).toFixed(1)}" r="3" fill="${colour}"/>`,
      );
      if (p.forecast !== undefined) {
        parts.push(
          `<circle cx="${x(p.tsMs).toFixed(1)}" cy="${y(p.forecast).toFixed(1)}" r="3" fill="white" stroke="${colour}"/>`,
        );
      }
    }
    const ly = M.top + 16 + i * 34;
    const label = `${s.resource.split('.')[0] ?? s.resource} (${s.cluster})`;
    parts.push(
      `<line x1="${W - M.right + 12}" x2="${W - M.right + 36}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${W - M.right + 42}" y="${ly}" font-size="12" font-family="sans-serif">${escape(label)}</text>`,
      `<text x="${W - M.right + 42}" y="${ly + 14}" font-size="11" fill="#555" font-family="sans-serif">solid actual, dashed forecast</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
}

export async function writeForecastPng(
  path: string,
  series: readonly ForecastSeries[],
  startMs: number,
  title: string,
): Promise<void> {
  const png = new Resvg(forecastSvg(series, startMs, title), { font: { loadSystemFonts: true } })
    .render()
    .asPng();
  await writeFile(path, png);
}
