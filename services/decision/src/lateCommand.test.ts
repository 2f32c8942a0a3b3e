import { describe, expect, it } from 'vitest';
import { MirrorAction } from '@pdme/common/proto';
import { isLateCommand } from './lateCommand.js';

const mirror = MirrorAction.MIRROR_ACTION_MIRROR;

describe('isLateCommand', () => {
  it('is late only when issued after its live-by time', () => {
    expect(isLateCommand({ action: mirror, issuedMs: 10_001, liveByMs: 10_000 })).toBe(true);
    expect(isLateCommand({ action: mirror, issuedMs: 10_000, liveByMs: 10_000 })).toBe(false);
    expect(isLateCommand({ action: mirror, issuedMs: 9_000, liveByMs: 10_000 })).toBe(false);
  });

  it('does not count resends (no live-by) nor unmirrors', () => {
    expect(isLateCommand({ action: mirror, issuedMs: 10_000, liveByMs: 0 })).toBe(false);
    expect(
      isLateCommand({ action: MirrorAction.MIRROR_ACTION_UNMIRROR, issuedMs: 10_001, liveByMs: 10_000 }),
    ).toBe(false);
  });
});
