import { describe, expect, it } from 'vitest';
import { DEFAULT_INFLUENCE_CAP } from '@pdme/common/fairness';
import { WindowCounter, type CountableEvent } from './windowCounter.js';

const event = (i: number, group: string): CountableEvent => ({
  eventId: `e${i}`,
  tsMs: 100 + i,
  resource: 'web-x.cdn.pdme.test',
  cluster: 'c1',
  client: { clientHash: group, keyEpoch: 1 },
});

function closedAfter(events: CountableEvent[], counter: WindowCounter) {
  for (const e of events) counter.add(e);
  return counter.closeUpTo(10_000)[0];
}

describe('window counts with a per-client-group influence cap', () => {
  const options = { windowMs: 1000, allowedLatenessMs: 0, influenceCap: DEFAULT_INFLUENCE_CAP };

  it('caps a one-group flood at the floor and flags the window as dominated', () => {
    const window = closedAfter(
      Array.from({ length: 500 }, (_, i) => event(i, 'g-flood')),
      new WindowCounter(options),
    );
    expect(window).toMatchObject({
      rawCount: 500,
      count: DEFAULT_INFLUENCE_CAP.perGroupFloor,
      dominated: true,
    });
  });

  it('counts the same volume spread over many groups in full', () => {
    const window = closedAfter(
      Array.from({ length: 500 }, (_, i) => event(i, `g-${i % 50}`)),
      new WindowCounter(options),
    );
    expect(window).toMatchObject({ rawCount: 500, count: 500, groups: 50, dominated: false });
  });

  it('keeps client groups across a snapshot and restore', () => {
    const counter = new WindowCounter(options);
    for (let i = 0; i < 100; i++) counter.add(event(i, 'g-flood'));
    const restored = new WindowCounter(options);
    restored.restore(JSON.parse(JSON.stringify(counter.snapshot())) as ReturnType<WindowCounter['snapshot']>);
    expect(restored.closeUpTo(10_000)[0]).toMatchObject({ rawCount: 100, count: 20 });
  });

  it('counts raw without a cap, and events without a group each as their own group', () => {
    const raw = closedAfter(
      Array.from({ length: 50 }, (_, i) => event(i, 'g')),
      new WindowCounter({ windowMs: 1000, allowedLatenessMs: 0 }),
    );
    expect(raw?.count).toBe(50);
    const anonymous = closedAfter(
      Array.from({ length: 50 }, (_, i) => ({ ...event(i, ''), client: undefined })),
      new WindowCounter(options),
    );
    expect(anonymous?.count).toBe(50);
  });
});
