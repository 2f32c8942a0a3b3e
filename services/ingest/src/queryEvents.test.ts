import { describe, expect, it } from 'vitest';
import { QueryEvent, Source } from '@pdme/common/proto';
import { Anonymizer } from './anonymizer.js';
import { ClusterResolver } from './clusterResolver.js';
import { normalizeName, toQueryEvent } from './queryEvents.js';

const anonymizer = new Anonymizer({
  ipv4PrefixLength: 24,
  ipv6PrefixLength: 48,
  keyRotationMs: 3_600_000,
  secret: Buffer.from('0123456789abcdef0123456789abcdef'),
});
const dns = { server: '127.0.0.1', port: 53, zone: 'cdn.example', keyName: 'k' };
const server = {
  id: 's',
  host: 's.cdn.example',
  address: '127.0.0.1',
  port: 80,
  capacityBytes: 1,
  latencyMs: 1,
  region: 'r',
  cost: 1,
};
const clusters = new ClusterResolver(
  {
    clusters: [
      { id: 'c1', region: 'eu', subnets: ['198.51.100.0/24'], dns, servers: [server] },
      { id: 'c2', region: 'us', subnets: ['203.0.113.0/24', '2001:db8::/32'], dns, servers: [server] },
    ],
  },
  'c1',
);

describe('toQueryEvent', () => {
  it('normalizes the name, resolves the cluster and leaves no address in the payload', () => {
    const event = toQueryEvent(
      {
        tsMs: 1000,
        qname: 'Video.CDN.Example.',
        qtype: 'A',
        clientAddress: '203.0.113.77',
        source: Source.SOURCE_DNSTAP,
        sourceId: 'x',
      },
      anonymizer,
      clusters,
    );
    expect(event.resource).toBe('video.cdn.example');
    expect(event.cluster).toBe('c2');
    const bytes = Buffer.from(QueryEvent.encode(event).finish()).toString('latin1');
    expect(bytes).not.toContain('203.0.113');
    expect(JSON.stringify(QueryEvent.toJSON(event))).not.toContain('203.0.113');
  });

  it('prefers the EDNS client subnet over the resolver address', () => {
    const event = toQueryEvent(
      {
        tsMs: 0,
        qname: 'a.cdn.example',
        qtype: 'AAAA',
        clientAddress: '198.51.100.1',
        ecsAddress: '2001:db8:5::',
        source: Source.SOURCE_DNSTAP,
        sourceId: 'y',
      },
      anonymizer,
      clusters,
    );
    expect(event.cluster).toBe('c2');
  });

  it('gives the same event id to the same source position', () => {
    const obs = {
      tsMs: 0,
      qname: 'a',
      qtype: 'A',
      clientAddress: undefined,
      source: Source.SOURCE_JSON,
      sourceId: 'file:1',
    };
    expect(toQueryEvent(obs, anonymizer, clusters).eventId).toBe(
      toQueryEvent(obs, anonymizer, clusters).eventId,
    );
    expect(normalizeName('A.B.')).toBe('a.b');
  });
});
