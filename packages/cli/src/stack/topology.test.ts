import { describe, expect, it } from 'vitest';
import { parseConfig } from '@pdme/common/config';
import {
  bindInfo,
  clientGroupPrefix,
  clusterClient,
  defaultTopology,
  validateTopology,
  viewMatchClients,
} from './dns.js';
import { stackPaths } from './paths.js';
import { localStackConfig } from './stackConfig.js';

describe('cluster client subnets', () => {
  const topology = defaultTopology();
  const [c1, c2] = topology;
  if (c1 === undefined || c2 === undefined) throw new Error('default topology has two clusters');

  it('gives each view every client subnet of its cluster', () => {
    expect(viewMatchClients(topology, c2, false)).toBe(
      'key "pdme-c2"; !key "pdme-c1"; 127.0.2.0/24; 127.2.0.0/16;',
    );
    expect(viewMatchClients(topology, c1, true)).toContain('127.1.0.0/16; any;');
  });

  it('maps every client subnet to its cluster in the ingest config', () => {
    const config = parseConfig(localStackConfig(topology, bindInfo(stackPaths(), topology)), 'test');
    expect(config.clusters.map((c) => c.subnets)).toEqual([
      ['127.0.1.0/24', '127.1.0.0/16'],
      ['127.0.2.0/24', '127.2.0.0/16'],
    ]);
  });

  it('spreads a crowd over several /24s inside the cluster', () => {
    const sources = Array.from({ length: 90 }, (_, i) => clusterClient(c2, i));
    const groups = new Set(sources.map(clientGroupPrefix));
    expect(groups.size).toBeGreaterThanOrEqual(5);
    expect([...groups].every((g) => g === '127.0.2' || g.startsWith('127.2.'))).toBe(true);
    expect(new Set(sources).size).toBe(90);
  });

  it('keeps a stack state without clientSubnets on its one /24', () => {
    expect(clusterClient({ subnet: '127.0.2.0/24' }, 3)).toBe('127.0.2.13');
  });

  it('rejects a client subnet claimed by two clusters', () => {
    const clash = [c1, { ...c2, clientSubnets: [c2.subnet, '127.1.0.0/16'] }];
    expect(() => validateTopology(clash)).toThrow(/127\.1\.0\.0\/16 is in c1 and c2/);
  });
});
