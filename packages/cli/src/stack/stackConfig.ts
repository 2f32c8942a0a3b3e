import type { PdmeConfigInput } from '@pdme/common/config';
import type { BindInfo } from './dns.js';
import type { ClusterTopology } from './dns.js';

/**
 * The PDME config for the local stack, derived from its topology: one cluster per BIND view, the
 * view's TSIG key by file reference, and short windows so the demo shows a whole cycle in minutes.
 */
export function localStackConfig(topology: readonly ClusterTopology[], bind: BindInfo): PdmeConfigInput {
  return {
    clusters: topology.map((cluster) => {
      const key = bind.keys.find((k) => k.cluster === cluster.id);
      if (key === undefined) throw new Error(`stack: no TSIG key for cluster ${cluster.id}`);
      return {
        id: cluster.id,
        region: cluster.servers[0]?.region ?? cluster.id,
        subnets: [...cluster.clientSubnets],
        dns: { server: bind.server, port: bind.port, zone: bind.zone, keyName: key.name, keyFile: key.file },
        servers: cluster.servers.map((server, i) => ({
          id: server.id,
          host: server.host,
          address: server.address,
          port: server.port,
          capacityBytes: 64 * 1024 * 1024,
          latencyMs: 5 + 3 * i,
          region: server.region,
          cost: 1 + i * 0.5,
        })),
      };
    }),
    resourceTypes: [
      {
        name: 'video',
        patterns: [`video*.${bind.zone}`],
        threshold: 10,
        unmirrorThreshold: 2,
        maxMirrors: 2,
        sizeBytes: 4 * 1024 * 1024,
        ttlSeconds: 30,
        warmPaths: ['/', '/manifest.m3u8'],
      },
      {
        name: 'web',
        patterns: [`*.${bind.zone}`],
        threshold: 30,
        unmirrorThreshold: 5,
        maxMirrors: 1,
        sizeBytes: 512 * 1024,
        ttlSeconds: 60,
        warmPaths: ['/'],
      },
    ],
    forecast: {
      windowMs: 5_000,
      horizonSteps: 12,
      allowedLatenessMs: 1_000,
      minChange: 0.1,
      forecastTtlSeconds: 600,
    },
    decision: {
      policy: 'greedy',
      weights: { latency: 1, capacity: 1, diversity: 0.5, cost: 0.5 },
      hysteresisWindows: 3,
      minLifetimeMs: 30_000,
      warmTimeMs: 2_000,
    },
    dnsUpdater: { dryRun: false, ownerId: 'pdme-local', warmTimeoutMs: 5_000, warmConcurrency: 4 },
    anonymization: { ipv4PrefixLength: 24, ipv6PrefixLength: 48, k: 5, keyRotationMs: 86_400_000 },
  };
}
