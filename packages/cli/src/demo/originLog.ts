import { open, stat } from 'node:fs/promises';
import { labelOf } from './pipelineWatch.js';

export interface OriginTally {
  requests: number;
  bytes: number;
}

/** The origin access log's size now: where a run's tally starts reading. */
export async function logOffset(file: string): Promise<number> {
  return (await stat(file).catch(() => ({ size: 0 }))).size;
}

/**
 * What the origin served for the demo's names since `fromOffset` (its JSON access log: one line per
 * request with host and body bytes), per run label: misses and warm fetches alike.
 */
export async function originTally(
  file: string,
  fromOffset: number,
  labels: readonly string[],
): Promise<Map<string, OriginTally>> {
  const tallies = new Map<string, OriginTally>(labels.map((l) => [l, { requests: 0, bytes: 0 }]));
  const size = await logOffset(file);
  if (size <= fromOffset) return tallies;
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(size - fromOffset);
    await handle.read(buffer, 0, buffer.length, fromOffset);
    for (const line of buffer.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      let entry: { host?: unknown; bytes?: unknown };
      try {
        entry = JSON.parse(line) as { host?: unknown; bytes?: unknown };
      } catch {
        continue; // a line cut by a concurrent write: the next read has it whole
      }
      if (typeof entry.host !== 'string') continue;
      const label = labelOf(entry.host.toLowerCase(), labels);
      const tally = label === undefined ? undefined : tallies.get(label);
      if (tally === undefined) continue;
      tally.requests++;
      tally.bytes += typeof entry.bytes === 'number' ? entry.bytes : 0;
    }
  } finally {
    await handle.close();
  }
  return tallies;
}
