import type { Prerequisite, RecordData, UpdateOperation, UpdateRequest } from './rfc2136/index.js';

function rdataText(record: RecordData): string {
  switch (record.type) {
    case 'TXT':
      return (typeof record.data === 'string' ? [record.data] : [...record.data])
        .map((s) => JSON.stringify(s))
        .join(' ');
    case 'MX':
      return `${record.data.preference} ${record.data.exchange}`;
    case 'SRV':
      return `${record.data.priority} ${record.data.weight} ${record.data.port} ${record.data.target}`;
    default:
      return record.data;
  }
}

function prerequisiteText(p: Prerequisite): string[] {
  switch (p.kind) {
    case 'nameInUse':
      return [`prereq yxdomain ${p.name}`];
    case 'nameNotInUse':
      return [`prereq nxdomain ${p.name}`];
    case 'rrsetExists':
      return [`prereq yxrrset ${p.name} ${p.type}`];
    case 'rrsetNotExists':
      return [`prereq nxrrset ${p.name} ${p.type}`];
    case 'rrsetExistsValue':
      return p.records.map((r) => `prereq yxrrset ${p.name} ${r.type} ${rdataText(r)}`);
  }
}

function operationText(u: UpdateOperation): string {
  switch (u.kind) {
    case 'add':
      return `update add ${u.record.name} ${u.record.ttl} ${u.record.type} ${rdataText(u.record)}`;
    case 'deleteRRset':
      return `update delete ${u.name} ${u.type}`;
    case 'deleteName':
      return `update delete ${u.name}`;
    case 'deleteRecord':
      return `update delete ${u.record.name} ${u.record.type} ${rdataText(u.record)}`;
  }
}

/** The update in nsupdate's input syntax: exactly what would be sent, readable in a dry-run log. */
export function describeUpdate(update: UpdateRequest): string {
  return [
    `zone ${update.zone}`,
    ...(update.prerequisites ?? []).flatMap(prerequisiteText),
    ...update.updates.map(operationText),
    'send',
  ].join('\n');
}
