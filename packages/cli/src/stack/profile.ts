// Which local stack a command works on: the plain one (the demo, the integration tests) or the secure
// profile, which runs alongside it with its own state directory and ports and TLS on every hop.
import { join, resolve } from 'node:path';
import { repoRoot } from '@pdme/common/repo-root';
import { stackPaths, type StackPaths } from './paths.js';
import type { ServiceName } from './services.js';

export type ProfileName = 'plain' | 'secure';

/** Every port a stack listens on (addresses stay the loopback ones of the topology). */
export interface StackPorts {
  readonly kafka: number;
  readonly kafkaController: number;
  /** Inter-broker SSL listener: secure profile only. */
  readonly kafkaInternal?: number;
  readonly redis: number;
  readonly bind: number;
  readonly bindStats: number;
  readonly cache: number;
  readonly origin: number;
  readonly gatewayHttp: number;
  readonly gatewayGrpc: number;
  /** Ops port of each service's first instance; instance n uses base + n - 1. */
  readonly ops: Readonly<Record<ServiceName, number>>;
  /** Ingest instances after the first listen for dnstap over TCP on base + n. */
  readonly ingestDnstapTcpBase: number;
}

export interface StackProfile {
  readonly name: ProfileName;
  readonly secure: boolean;
  readonly paths: StackPaths;
  readonly ports: StackPorts;
}

/** The secure profile's ports: the plain stack's shifted by 10000 (Redis, BIND: 2xxxx as well). */
export const SECURE_PORTS: StackPorts = {
  kafka: 29092,
  kafkaController: 29093,
  kafkaInternal: 29094,
  redis: 26379,
  bind: 25353,
  bindStats: 28053,
  cache: 28443,
  origin: 28444,
  gatewayHttp: 28000,
  gatewayGrpc: 28001,
  ops: { ingest: 28110, forecaster: 28120, decision: 28130, 'dns-updater': 28140, gateway: 28150 },
  ingestDnstapTcpBase: 28190,
};

/** State, logs and secrets of the secure profile: `.pdme/stack-secure` (PDME_SECURE_STACK_DIR overrides). */
export function secureStackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const root = resolve(env['PDME_SECURE_STACK_DIR'] ?? join(repoRoot(), '.pdme', 'stack-secure'));
  // Maven's Kafka jars are shared with the plain stack: same version, fetched once.
  return { root, logs: join(root, 'logs'), pids: join(root, 'pids'), cache: stackPaths(env).cache };
}

export function secureProfile(env: NodeJS.ProcessEnv = process.env): StackProfile {
  return { name: 'secure', secure: true, paths: secureStackPaths(env), ports: SECURE_PORTS };
}
