import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** BIND's `DD-Mon-YYYY HH:MM:SS.mmm` in UTC. */
export function bindTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()] ?? 'Jan'}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

/** The i-th synthetic client: 10.x.y.z spread over many /24s (never published raw). */
export function clientOf(i: number): string {
  return `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;
}

export function bindLine(i: number, marker: string, startMs: number): string {
  const name = `r${i % 1000}.${marker}.cdn.pdme.test`;
  const view = i % 2 === 0 ? 'view c1: ' : '';
  const object = i % 3 === 0 ? '' : '@0x7f3a2c01b568 ';
  return `${bindTime(startMs + i)} client ${object}${clientOf(i)}#${1024 + (i % 60000)} (${name}): ${view}query: ${name} IN ${
    i % 5 === 0 ? 'AAAA' : 'A'
  } +E(0)K (127.0.0.1)`;
}

/**
 * Writes `lines` BIND query-log lines; every `badEvery`-th one is broken in a rotating way (so
 * the DLQ count is known exactly: floor(lines / badEvery)). Returns how many are bad.
 */
export async function writeBindLog(
  path: string,
  options: { lines: number; marker: string; badEvery?: number; startMs?: number },
): Promise<{ bad: number }> {
  const out = createWriteStream(path);
  const startMs = options.startMs ?? Date.UTC(2024, 2, 24, 17, 0, 0);
  const badEvery = options.badEvery ?? 0;
  let bad = 0;
  let chunk = '';
  for (let i = 1; i <= options.lines; i++) {
    let line = bindLine(i, options.marker, startMs);
    if (badEvery > 0 && i % badEvery === 0) {
      bad++;
      line = breakLine(line, bad);
    }
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return { bad };
}

function breakLine(line: string, n: number): string {
  switch (n % 4) {
    case 0:
      return line.replace(' IN ', ' CH ');
    case 1:
      return line.replace(/^\d\d-/, '99-');
    case 2:
      return line.replace(' query: ', ' quer: ');
    default:
      return line.replace(/client (@0x\w+ )?10\./, 'client $1999.');
  }
}
