import type { UpdateRequest } from './rfc2136/index.js';

/** The TXT record that marks a name as PDME's; its exact value is the ownership proof. */
export function ownershipName(resource: string): string {
  return `_pdme.${resource}`;
}

export function ownershipValue(ownerId: string): string {
  return `heritage=pdme,owner=${ownerId}`;
}

export interface MirrorChange {
  readonly zone: string;
  readonly resource: string;
  readonly target: string;
  readonly ttlSeconds: number;
  readonly ownerId: string;
}

/** Points a name PDME already owns at a new mirror: refused unless our ownership TXT is there. */
export function replaceOwnedCname(change: MirrorChange): UpdateRequest {
  const txt = ownershipName(change.resource);
  return {
    zone: change.zone,
    prerequisites: [
      {
        kind: 'rrsetExistsValue',
        name: txt,
        records: [{ type: 'TXT', data: ownershipValue(change.ownerId) }],
      },
    ],
    updates: [
      { kind: 'deleteRRset', name: change.resource, type: 'CNAME' },
      {
        kind: 'add',
        record: { name: change.resource, type: 'CNAME', data: change.target, ttl: change.ttlSeconds },
      },
    ],
  };
}

/**
 * Claims a free name: only when neither the name nor its ownership name holds any record, so a
 * record someone else manages is never overwritten. CNAME and TXT go in one message (all or none).
 */
export function claimNameWithCname(change: MirrorChange): UpdateRequest {
  const txt = ownershipName(change.resource);
  return {
    zone: change.zone,
    prerequisites: [
      { kind: 'nameNotInUse', name: change.resource },
      { kind: 'nameNotInUse', name: txt },
    ],
    updates: [
      {
        kind: 'add',
        record: { name: change.resource, type: 'CNAME', data: change.target, ttl: change.ttlSeconds },
      },
      {
        kind: 'add',
        record: { name: txt, type: 'TXT', data: ownershipValue(change.ownerId), ttl: change.ttlSeconds },
      },
    ],
  };
}

/** Removes our CNAME and ownership record together, restoring whatever answered before (the origin). */
export function releaseName(zone: string, resource: string, ownerId: string): UpdateRequest {
  const txt = ownershipName(resource);
  return {
    zone,
    prerequisites: [
      { kind: 'rrsetExistsValue', name: txt, records: [{ type: 'TXT', data: ownershipValue(ownerId) }] },
    ],
    updates: [
      { kind: 'deleteRRset', name: resource, type: 'CNAME' },
      { kind: 'deleteRRset', name: txt, type: 'TXT' },
    ],
  };
}

/** A prerequisite-only update: NOERROR proves the server now serves exactly this CNAME in the key's view. */
export function verifyCname(zone: string, resource: string, target: string): UpdateRequest {
  return {
    zone,
    prerequisites: [{ kind: 'rrsetExistsValue', name: resource, records: [{ type: 'CNAME', data: target }] }],
    updates: [],
  };
}
