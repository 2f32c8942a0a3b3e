import { describe, expect, it } from 'vitest';
import { Batcher, ROOM } from './batcher.js';

describe('Batcher', () => {
  it('sends full batches in order and the rest on flush', async () => {
    const sent: number[][] = [];
    const batcher = new Batcher<number>({
      maxBatch: 3,
      lingerMs: 10_000,
      send: async (items) => {
        sent.push(items);
      },
      onSendError: () => undefined,
    });
    for (let i = 0; i < 7; i++) await batcher.add(i);
    await batcher.close();
    expect(sent).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('retries a failed send until it goes through, losing nothing', async () => {
    const sent: number[] = [];
    let failures = 2;
    const errors: number[] = [];
    const batcher = new Batcher<number>({
      maxBatch: 2,
      lingerMs: 5,
      send: async (items) => {
        if (failures-- > 0) throw new Error('broker down');
        sent.push(...items);
      },
      onSendError: (_error, attempt) => errors.push(attempt),
    });
    await batcher.add(1);
    await batcher.add(2);
    await batcher.close();
    expect(sent).toEqual([1, 2]);
    expect(errors).toEqual([1, 2]);
  });

  it('sends a partial batch after the linger time', async () => {
    const sent: number[][] = [];
    const batcher = new Batcher<number>({
      maxBatch: 100,
      lingerMs: 5,
      send: async (items) => {
        sent.push(items);
      },
      onSendError: () => undefined,
    });
    await batcher.add(42);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent).toEqual([[42]]);
  });

  it('returns the shared ROOM while there is room, and waits for the acknowledgement when full', async () => {
    let acknowledge = (): void => undefined;
    const sent: number[][] = [];
    const batcher = new Batcher<number>({
      maxBatch: 2,
      lingerMs: 10_000,
      maxPendingBatches: 1,
      send: (items) => {
        sent.push(items);
        return new Promise<void>((resolve) => (acknowledge = resolve));
      },
      onSendError: () => undefined,
    });
    expect(batcher.add(1)).toBe(ROOM);
    let released = false;
    const full = batcher.add(2).then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toEqual([[1, 2]]);
    expect(released).toBe(false);
    acknowledge();
    await full;
    expect(released).toBe(true);
    await batcher.close();
    await expect(batcher.add(3)).rejects.toThrow(/closed/);
  });
});
