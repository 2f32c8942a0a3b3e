import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig, type PdmeConfig, type PdmeConfigInput } from '@pdme/common/config';
import { createLogger, type Logger } from '@pdme/common/logging';

function server(id: string, capacityBytes: number) {
  return {
    id,
    host: `${id}.cache.example.net`,
    address: '192.0.2.10',
    port: 8080,
    capacityBytes,
    latencyMs: 5,
    region: 'eu-west',
    cost: 1,
  };
}

/** A small valid config with two clusters, `eu` (servers eu-a, eu-b) and `us` (server us-a). */
export function sampleConfigDocument(): PdmeConfigInput {
  return {
    clusters: [
      {
        id: 'eu',
        region: 'eu-west',
        subnets: ['198.51.100.0/24'],
        dns: { server: '127.0.0.1', zone: 'cdn.example.net', keyName: 'pdme-key' },
        servers: [server('eu-a', 1_000_000), server('eu-b', 2_000_000)],
      },
      {
        id: 'us',
        region: 'us-east',
        dns: { server: '127.0.0.1', zone: 'cdn.example.net', keyName: 'pdme-key' },
        servers: [server('us-a', 3_000_000)],
      },
    ],
    resourceTypes: [
      {
        name: 'video',
        patterns: ['**.video.example.com'],
        threshold: 100,
        unmirrorThreshold: 10,
        maxMirrors: 2,
        sizeBytes: 50_000,
        ttlSeconds: 60,
      },
    ],
    forecast: { windowMs: 10_000, horizonSteps: 6, allowedLatenessMs: 2_000 },
    decision: {
      policy: 'greedy',
      weights: { latency: 1, capacity: 1, diversity: 1, cost: 1 },
      hysteresisWindows: 3,
      minLifetimeMs: 60_000,
      warmTimeMs: 5_000,
    },
    dnsUpdater: { ownerId: 'pdme-test' },
    anonymization: { ipv4PrefixLength: 24, ipv6PrefixLength: 48, k: 5, keyRotationMs: 3_600_000 },
  };
}

export function sampleConfig(): PdmeConfig {
  return parseConfig(sampleConfigDocument(), 'test fixture');
}

/** Writes the sample config as JSON into a fresh temp dir; `cleanup` removes the dir. */
export function writeSampleConfigFile(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pdme-gateway-'));
  const path = join(dir, 'pdme.json');
  writeFileSync(path, JSON.stringify(sampleConfigDocument(), null, 2));
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A logger whose JSON lines are kept in `lines`, for asserting on events. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: createLogger('gateway', { level: 'debug', destination }), lines };
}
