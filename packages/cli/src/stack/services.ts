import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { StackPaths } from './paths.js';
import { repoRoot } from './paths.js';
import { runningPid, startDetached, stopDetached, waitFor } from './processes.js';

export const SERVICE_NAMES = ['ingest', 'forecaster', 'decision', 'dns-updater', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Ops port (/metrics, /healthz, /readyz) of each service in the local stack. */
export const OPS_PORTS: Record<ServiceName, number> = {
  ingest: 18110,
  forecaster: 18120,
  decision: 18130,
  'dns-updater': 18140,
  gateway: 18150,
};

export const GATEWAY_HTTP_PORT = 18000;
export const GATEWAY_GRPC_PORT = 18001;

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** The command that runs a service's main.ts with tsx, as `pdme run` and the stack both do. */
export function serviceCommand(service: ServiceName): { command: string; args: string[] } {
  const root = repoRoot();
  const tsx = createRequire(join(root, 'package.json')).resolve('tsx/cli');
  return { command: process.execPath, args: [tsx, join(root, 'services', service, 'src', 'main.ts')] };
}

export async function startService(
  paths: StackPaths,
  service: ServiceName,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<void> {
  const existing = runningPid(paths, service);
  if (existing !== undefined) {
    log(`${service}: already running (pid ${existing})`);
    return;
  }
  const { command, args } = serviceCommand(service);
  const pid = startDetached(paths, {
    name: service,
    command,
    args,
    env: { ...env, OPS_PORT: String(OPS_PORTS[service]) },
  });
  log(`${service}: started (pid ${pid}), log ${join(paths.logs, `${service}.log`)}`);
}

export async function waitServiceReady(service: ServiceName, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${service} /readyz on 127.0.0.1:${OPS_PORTS[service]}`,
    async () => (await fetch(`http://127.0.0.1:${OPS_PORTS[service]}/readyz`)).ok,
    timeoutMs,
  );
}

export async function stopService(paths: StackPaths, service: ServiceName): Promise<boolean> {
  return stopDetached(paths, service, 25_000);
}
