import { describe, expect, it } from 'vitest';
import { WindowCounter } from './windowCounter.js';

const ev = (id: string, tsMs: number, resource = 'r', cluster = 'c') => ({
  eventId: id,
  tsMs,
  resource,
  cluster,
});

describe('WindowCounter', () => {
  it('counts each event once in its window, out of order included', () => {
    const counter = new WindowCounter({ windowMs: 1000, allowedLatenessMs: 500 });
    expect(counter.add(ev('a', 100))).toBe('counted');
    expect(counter.add(ev('b', 1200))).toBe('counted');
    expect(counter.add(ev('c', 900))).toBe('counted');
    expect(counter.add(ev('a', 100))).toBe('duplicate');
    expect(counter.closeUpTo(1499)).toEqual([]);
    expect(counter.closeUpTo(1500)).toEqual([
      { resource: 'r', cluster: 'c', windowStartMs: 0, windowMs: 1000, count: 2 },
    ]);
    expect(counter.add(ev('d', 999))).toBe('late');
  });

  it('closes empty windows with zero so demand can fade', () => {
    const counter = new WindowCounter({ windowMs: 1000, allowedLatenessMs: 0 });
    counter.add(ev('a', 0));
    const closed = counter.closeUpTo(3000);
    expect(closed.map((w) => w.count)).toEqual([1, 0, 0]);
  });

  it('keeps series apart and forgets idle ones', () => {
    const counter = new WindowCounter({ windowMs: 1000, allowedLatenessMs: 0, forgetAfterWindows: 2 });
    counter.add(ev('a', 0, 'r1', 'c1'));
    counter.add(ev('b', 0, 'r1', 'c2'));
    expect(counter.seriesCount).toBe(2);
    const closed = counter.closeUpTo(10_000);
    expect(closed.filter((w) => w.cluster === 'c1').map((w) => w.count)).toEqual([1, 0, 0]);
    // Only the window after which the series is dropped says so.
    expect(closed.filter((w) => w.cluster === 'c1').map((w) => w.seriesEnd === true)).toEqual([
      false,
      false,
      true,
    ]);
    expect(counter.seriesCount).toBe(0);
  });
});
