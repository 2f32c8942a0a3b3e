import { describe, expect, it } from 'vitest';
import { buildUpdateMessage } from './rfc2136/index.js';
import { claimNameWithCname, releaseName, replaceOwnedCname, verifyCname } from './mirrorRecords.js';

const change = {
  zone: 'cdn.example',
  resource: 'v.cdn.example',
  target: 'cache-a.cdn.example',
  ttlSeconds: 30,
  ownerId: 'pdme-test',
};

describe('mirror record updates', () => {
  it('claims a name only when neither it nor its ownership name exists', () => {
    const update = claimNameWithCname(change);
    expect(update.prerequisites).toEqual([
      { kind: 'nameNotInUse', name: 'v.cdn.example' },
      { kind: 'nameNotInUse', name: '_pdme.v.cdn.example' },
    ]);
    expect(update.updates.map((u) => u.kind)).toEqual(['add', 'add']);
  });

  it('replaces and releases only with our ownership TXT as prerequisite', () => {
    for (const update of [
      replaceOwnedCname(change),
      releaseName(change.zone, change.resource, change.ownerId),
    ]) {
      expect(update.prerequisites).toEqual([
        {
          kind: 'rrsetExistsValue',
          name: '_pdme.v.cdn.example',
          records: [{ type: 'TXT', data: 'heritage=pdme,owner=pdme-test' }],
        },
      ]);
    }
  });

  it('builds wire messages for every shape, including a prerequisite-only verification', () => {
    for (const update of [
      claimNameWithCname(change),
      replaceOwnedCname(change),
      releaseName('cdn.example', 'v.cdn.example', 'x'),
      verifyCname('cdn.example', 'v.cdn.example', 'cache-a.cdn.example'),
    ]) {
      expect(buildUpdateMessage(update).length).toBeGreaterThan(12);
    }
  });
});
