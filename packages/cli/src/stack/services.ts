import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { StackPaths } from './paths.js';
import { repoRoot } from '@pdme/common/repo-root';
import { runningPid, startDetached, stopDetached, waitFor } from './processes.js';
import type { StackPorts } from './profile.js';

export const SERVICE_NAMES = ['ingest', 'forecaster', 'decision', 'dns-updater', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Ops port (/metrics, /healthz, /readyz) of each service's first instance in the local stack. */
export const OPS_PORTS: Record<ServiceName, number> = {
  ingest: 18110,
  forecaster: 18120,
  decision: 18130,
  'dns-updater': 18140,
  gateway: 18150,
};

export const GATEWAY_HTTP_PORT = 18000;
export const GATEWAY_GRPC_PORT = 18001;

/**
 * Instances of one service run side by side with ops ports base, base+1, ...: each service owns a
 * block of ten ports, so ten instances at most.
 */
export const MAX_INSTANCES = 10;
/** Ingest instances after the first listen for dnstap over TCP on 18190 + n (see serviceInstance). */
export const INGEST_DNSTAP_TCP_BASE_PORT = 18190;

/** The ports services get from a stack; the plain stack's by default, the secure profile passes its own. */
export type ServicePorts = Pick<StackPorts, 'ops' | 'gatewayHttp' | 'gatewayGrpc' | 'ingestDnstapTcpBase'>;
export const PLAIN_SERVICE_PORTS: ServicePorts = {
  ops: OPS_PORTS,
  gatewayHttp: GATEWAY_HTTP_PORT,
  gatewayGrpc: GATEWAY_GRPC_PORT,
  ingestDnstapTcpBase: INGEST_DNSTAP_TCP_BASE_PORT,
};

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** One running copy of a service: its process name (pid and log file), ops port and own ports. */
export interface ServiceInstance {
  readonly service: ServiceName;
  /** 1-based; instance 1 is named after the service so a one-instance stack looks as before. */
  readonly index: number;
  readonly name: string;
  readonly opsPort: number;
  /** Environment that differs between instances of the service (ports, listeners, INSTANCE_ID). */
  readonly env: Readonly<Record<string, string>>;
  /** Variables of the shared service environment this instance must not inherit. */
  readonly unset: readonly string[];
}

/**
 * The n-th instance of a service. Kafka consumer groups split partitions between instances and
 * decision shares capacity through Redis Lua, so most services need nothing but their own ports.
 * ingest is the exception: BIND writes dnstap to one unix socket, so only instance 1 reads it;
 * the others listen for Frame Streams over TCP on INGEST_DNSTAP_TCP_BASE_PORT + n, for further
 * dnstap writers (another resolver, a relay). Gateway instances get their own API ports.
 */
export function serviceInstance(
  service: ServiceName,
  index = 1,
  ports: ServicePorts = PLAIN_SERVICE_PORTS,
): ServiceInstance {
  if (!Number.isInteger(index) || index < 1 || index > MAX_INSTANCES)
    throw new Error(`stack: instance ${index} of ${service} must be 1..${MAX_INSTANCES}`);
  const name = index === 1 ? service : `${service}-${index}`;
  const opsPort = ports.ops[service] + index - 1;
  const env: Record<string, string> = { OPS_PORT: String(opsPort), INSTANCE_ID: name };
  const unset: string[] = [];
  if (service === 'ingest' && index > 1) {
    env['DNSTAP_TCP'] = `127.0.0.1:${ports.ingestDnstapTcpBase + index}`;
    unset.push('DNSTAP_SOCKET');
  }
  if (service === 'gateway' && index > 1) {
    env['GATEWAY_PORT'] = String(ports.gatewayHttp + 2 * (index - 1));
    env['GATEWAY_GRPC_PORT'] = String(ports.gatewayGrpc + 2 * (index - 1));
  }
  return { service, index, name, opsPort, env, unset };
}

/** Instances 1..count of every service, service by service. */
export function allInstances(count: number, ports: ServicePorts = PLAIN_SERVICE_PORTS): ServiceInstance[] {
  return SERVICE_NAMES.flatMap((service) =>
    Array.from({ length: count }, (_, i) => serviceInstance(service, i + 1, ports)),
  );
}

/** The command that runs a service's main.ts with tsx, as `pdme run` and the stack both do. */
export function serviceCommand(service: ServiceName): { command: string; args: string[] } {
  const root = repoRoot();
  const tsx = createRequire(join(root, 'package.json')).resolve('tsx/cli');
  return { command: process.execPath, args: [tsx, join(root, 'services', service, 'src', 'main.ts')] };
}

/** Starts one instance unless it runs already; `env` is the stack's shared service environment. */
export async function startInstance(
  paths: StackPaths,
  instance: ServiceInstance,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<void> {
  const existing = runningPid(paths, instance.name);
  if (existing !== undefined) {
    log(`${instance.name}: already running (pid ${existing})`);
    return;
  }
  const { command, args } = serviceCommand(instance.service);
  const merged: NodeJS.ProcessEnv = { ...env, ...instance.env };
  // startDetached layers this over the CLI's own environment, and spawn skips undefined values: an
  // undefined entry (not a missing one) keeps a variable of the CLI's environment out as well.
  for (const variable of instance.unset) merged[variable] = undefined;
  const pid = startDetached(paths, { name: instance.name, command, args, env: merged });
  log(
    `${instance.name}: started (pid ${pid}, ops port ${instance.opsPort}), log ${join(paths.logs, `${instance.name}.log`)}`,
  );
}

export async function startService(
  paths: StackPaths,
  service: ServiceName,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<void> {
  await startInstance(paths, serviceInstance(service), env, log);
}

export async function waitInstanceReady(instance: ServiceInstance, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${instance.name} /readyz on 127.0.0.1:${instance.opsPort}`,
    async () => (await fetch(`http://127.0.0.1:${instance.opsPort}/readyz`)).ok,
    timeoutMs,
  );
}

export async function waitServiceReady(service: ServiceName, timeoutMs = 60_000): Promise<void> {
  await waitInstanceReady(serviceInstance(service), timeoutMs);
}

/** Stops one instance by its process name (`decision`, `decision-2`); true when it was running. */
export async function stopInstance(paths: StackPaths, instance: ServiceInstance): Promise<boolean> {
  return stopDetached(paths, instance.name, 25_000);
}

export async function stopService(paths: StackPaths, service: ServiceName): Promise<boolean> {
  return stopInstance(paths, serviceInstance(service));
}
