import { describe, expect, it } from 'vitest';
import type { Candidate } from './selectBestServer.js';
import { pausedDecision } from './pausedDecision.js';

const server = { server: { id: 'cache-c1-a' } } as unknown as Candidate;
const mirror = { kind: 'mirror', server, demand: 42, liveByMs: 1_000 } as const;

describe('pausedDecision', () => {
  it('turns a new mirror into none while paused', () => {
    expect(pausedDecision(mirror, true)).toEqual({ kind: 'none', reason: 'decisions paused', demand: 42 });
  });

  it('turns a displacement into none while paused, so no resident is evicted', () => {
    expect(pausedDecision({ kind: 'displace', demand: 7, victims: [] }, true)).toEqual({
      kind: 'none',
      reason: 'decisions paused',
      demand: 7,
    });
  });

  it('lets releases through while paused', () => {
    expect(pausedDecision({ kind: 'unmirror', demand: 0 }, true)).toEqual({ kind: 'unmirror', demand: 0 });
    expect(pausedDecision({ kind: 'hold', demand: 1, lowWindows: 2 }, true)).toEqual({
      kind: 'hold',
      demand: 1,
      lowWindows: 2,
    });
  });

  it('changes nothing when not paused or unset', () => {
    expect(pausedDecision(mirror, false)).toBe(mirror);
    expect(pausedDecision(mirror, undefined)).toBe(mirror);
  });
});
