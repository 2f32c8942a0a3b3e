import { describe, expect, it } from 'vitest';
import { claimNameWithCname } from './mirrorRecords.js';
import { describeUpdate } from './updateText.js';

describe('describeUpdate', () => {
  it('renders a claim in nsupdate syntax', () => {
    const text = describeUpdate(
      claimNameWithCname({
        zone: 'z.test',
        resource: 'a.z.test',
        target: 'c.z.test',
        ttlSeconds: 30,
        ownerId: 'o',
      }),
    );
    expect(text.split('\n')).toEqual([
      'zone z.test',
      'prereq nxdomain a.z.test',
      'prereq nxdomain _pdme.a.z.test',
      'update add a.z.test 30 CNAME c.z.test',
      'update add _pdme.a.z.test 30 TXT "heritage=pdme,owner=o"',
      'send',
    ]);
  });
});
