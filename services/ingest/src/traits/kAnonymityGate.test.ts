import { describe, expect, it } from 'vitest';
import { KAnonymityGate } from './kAnonymityGate.js';

describe('KAnonymityGate', () => {
  it('releases a group at the k-th distinct client, not before, and counts repeats once', () => {
    const gate = new KAnonymityGate({ k: 3 });
    expect(['a', 'a', 'b', 'b'].map((h) => gate.admit('g', h, 1))).toEqual([false, false, false, false]);
    expect(gate.admit('g', 'c', 1)).toBe(true);
    expect(gate.admit('g', 'a', 1)).toBe(true);
  });

  it('starts again in a new key epoch', () => {
    const gate = new KAnonymityGate({ k: 2 });
    gate.admit('g', 'a', 1);
    expect(gate.admit('g', 'b', 1)).toBe(true);
    expect(gate.admit('g', 'b', 2)).toBe(false);
  });

  it('stays within maxGroups, evicting the least recently used group', () => {
    const gate = new KAnonymityGate({ k: 2, maxGroups: 2 });
    gate.admit('x', 'a', 1);
    gate.admit('y', 'a', 1);
    gate.admit('x', 'a', 1); // x is now the most recent
    gate.admit('z', 'a', 1); // evicts y
    expect(gate.size).toBe(2);
    expect(gate.admit('x', 'b', 1)).toBe(true);
    expect(gate.admit('y', 'b', 1)).toBe(false); // y forgot 'a': delayed, never early
  });
});
