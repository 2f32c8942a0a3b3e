import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { followFile, type FollowedLine } from './followFile.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Collects followed lines; `until` resolves once `n` lines have arrived. */
function collect(path: string, signal: AbortSignal, reopens: string[]) {
  const lines: FollowedLine[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const done = (async () => {
    for await (const batch of followFile(path, {
      pollMs: 10,
      signal,
      onReopen: (why) => reopens.push(why),
    })) {
      lines.push(...batch);
      for (const w of waiters.filter((w) => lines.length >= w.n)) w.resolve();
    }
  })();
  const until = (n: number) =>
    new Promise<void>((resolve) => (lines.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { lines, until, done };
}

describe('followFile', () => {
  it('survives rename rotation and truncation without losing or repeating lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pdme-follow-'));
    dirs.push(dir);
    const path = join(dir, 'access.log');
    writeFileSync(path, 'a1\na2\n');
    const stop = new AbortController();
    const reopens: string[] = [];
    const { lines, until, done } = collect(path, stop.signal, reopens);
    await until(2);
    appendFileSync(path, 'a3\na');
    appendFileSync(path, '4\n');
    await until(4);
    // logrotate: rename, the writer still appends to the old file once, then a new file appears.
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, 'a5\n');
    writeFileSync(path, 'b1\nb2\n');
    await until(7);
    // copytruncate: same inode, size drops to zero, new lines start at offset 0.
    truncateSync(path, 0);
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(path, 'c1\n');
    await until(8);
    stop.abort();
    await done;
    expect(lines.map((l) => l.text)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'c1']);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5, 1, 2, 1]);
    expect(lines.at(-1)?.offset).toBe(0);
    expect(reopens).toEqual(['rotated', 'truncated']);
  });

  it('waits for a file that does not exist yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pdme-follow-'));
    dirs.push(dir);
    const path = join(dir, 'later.log');
    const stop = new AbortController();
    const reopens: string[] = [];
    const { lines, until, done } = collect(path, stop.signal, reopens);
    writeFileSync(path, 'x\n');
    await until(1);
    stop.abort();
    await done;
    expect(lines.map((l) => l.text)).toEqual(['x']);
  });
});
