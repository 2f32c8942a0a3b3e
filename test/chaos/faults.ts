import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { defaultTopology, startBind, stopBind } from '@pdme/cli/dns';
import { isAlive, readPid, runningPid, sleep, startDetached, waitFor } from '@pdme/cli/processes';
import {
  SERVICE_NAMES,
  serviceEnv,
  serviceInstance,
  stackPaths,
  startInstance,
  waitInstanceReady,
  type ServiceName,
  type StackState,
} from '@pdme/cli/stack';
// Not among @pdme/cli's exports: the broker's start and stop are only needed by the stack and here.
import { startKafka, stopKafka } from '../../packages/cli/src/stack/kafka.js';
import { stopCacheServer } from '../../packages/cli/src/stack/caches.js';

/**
 * Fault control over the running local stack: each fault has an inject and a repair, so a run can
 * hold several at once and always undo them. Everything targets the stack's own processes by the
 * pid files `stack up` wrote (never by name), and the machine's shared Redis only through
 * CLIENT KILL / CLIENT PAUSE: it keeps nothing on disk and is not ours to restart.
 */

export type Log = (message: string) => void;

/** Every pid in the process group the stack started for `name` (tsx runs the service as a child). */
export function groupPids(name: string): number[] {
  const leader = readPid(stackPaths(), name);
  if (leader === undefined || !isAlive(leader)) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === leader) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Resident memory of a process group, from /proc/<pid>/status (VmRSS), in bytes. */
export function groupRssBytes(name: string): number {
  let total = 0;
  for (const pid of groupPids(name)) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += Number(match?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

function signalGroup(name: string, signal: NodeJS.Signals): void {
  const leader = readPid(stackPaths(), name);
  if (leader === undefined) throw new Error(`chaos: no pid file for ${name}; is the stack up?`);
  try {
    process.kill(-leader, signal);
  } catch (error) {
    throw new Error(`chaos: could not send ${signal} to ${name} (group ${leader}): ${String(error)}`, {
      cause: error,
    });
  }
}

/** Starts a service with the stack's own start code and environment and waits until it is ready. */
export async function startService(state: StackState, service: ServiceName, log: Log): Promise<void> {
  const paths = stackPaths();
  const instance = serviceInstance(service);
  await startInstance(paths, instance, serviceEnv(state, paths), log);
  await waitInstanceReady(instance, 90_000);
}

/** kill -9 of the whole process group, as a crash would: no drain, no shutdown hooks. */
export async function killService(service: ServiceName): Promise<void> {
  const leader = readPid(stackPaths(), service);
  signalGroup(service, 'SIGKILL');
  if (leader !== undefined) await waitFor(`${service} to die`, async () => !isAlive(leader), 10_000);
}

export function pauseService(service: ServiceName): void {
  signalGroup(service, 'SIGSTOP');
}

export function resumeService(service: ServiceName): void {
  signalGroup(service, 'SIGCONT');
}

/** A controlled broker restart (SIGTERM, then the stack's own start code on the same data). */
export async function restartKafka(downMs: number, log: Log): Promise<void> {
  const paths = stackPaths();
  await stopKafka(paths);
  await sleep(downMs);
  await startKafka(paths, log);
}

export async function stopBindServer(): Promise<void> {
  await stopBind(stackPaths());
}

// The topology as `stack up` computes it now (stack.json may predate fields added since).
export async function startBindServer(log: Log): Promise<void> {
  await startBind(stackPaths(), defaultTopology(), log);
}

export async function stopCache(serverId: string): Promise<void> {
  await stopCacheServer(stackPaths(), serverId);
}

/**
 * Starts one cache server again from the config file the stack wrote for it (not re-rendered: the
 * server comes back exactly as it was), and waits for its health URL.
 */
export async function startCache(state: StackState, serverId: string, log: Log): Promise<void> {
  const paths = stackPaths();
  const info = state.caches.servers.find((s) => s.name === serverId);
  if (info === undefined) throw new Error(`chaos: no cache server ${serverId} in stack.json`);
  if (runningPid(paths, serverId) !== undefined) return;
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p)) ?? 'nginx';
  const pid = startDetached(paths, {
    name: serverId,
    command: nginx,
    args: ['-p', `${info.prefix}/`, '-c', info.configFile, '-e', 'stderr'],
    cwd: info.prefix,
  });
  log(`${serverId}: started nginx again (pid ${pid})`);
  await waitFor(`${serverId} at ${info.healthUrl}`, async () => (await fetch(info.healthUrl)).ok, 20_000);
}

/** Local ports of the TCP connections the stack's PDME services hold to `port` (ss -tnp). */
function serviceConnections(port: number): string[] {
  const pids = new Set(SERVICE_NAMES.flatMap((s) => groupPids(s)));
  const out = execFileSync('ss', ['-tnpH', `dport = :${port}`], { encoding: 'utf8' });
  const addresses: string[] = [];
  for (const line of out.split('\n')) {
    const pid = /pid=(\d+)/.exec(line)?.[1];
    const local = line.trim().split(/\s+/)[3];
    if (pid !== undefined && local !== undefined && pids.has(Number(pid))) addresses.push(local);
  }
  return addresses;
}

/**
 * A Redis outage for PDME: its connections are killed and every client is paused for `ms` (the
 * reconnects hang as they would against a dead server). CLIENT PAUSE expires by itself, so a crashed
 * harness cannot leave the machine's Redis paused.
 */
export async function redisOutage(redisUrl: string, ms: number): Promise<number> {
  const port = Number(new URL(redisUrl).port || 6379);
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
  try {
    const victims = serviceConnections(port);
    let killed = 0;
    for (const address of victims) {
      killed += Number(
        await admin.call('CLIENT', 'KILL', 'ADDR', address).then(
          () => 1,
          () => 0,
        ),
      );
    }
    await admin.call('CLIENT', 'PAUSE', String(ms), 'ALL');
    return killed;
  } finally {
    admin.disconnect();
  }
}

/** BIND's dnstap counters (statistics channel): frames it handed on, and frames it dropped. */
export async function bindDnstapStats(state: StackState): Promise<{ success: number; dropped: number }> {
  const res = await fetch(`${state.bind.statsUrl.replace(/\/$/, '')}/json/v1/server`);
  if (!res.ok) throw new Error(`chaos: BIND statistics answered ${res.status} at ${state.bind.statsUrl}`);
  const body = (await res.json()) as { dnstapstats?: Record<string, number>; 'boot-time'?: string };
  return {
    success: body.dnstapstats?.['DNSTAPsuccess'] ?? 0,
    dropped: body.dnstapstats?.['DNSTAPdropped'] ?? 0,
  };
}

/** Dnstap frames ingest has read since it started (its /metrics counter). */
export async function ingestDnstapRead(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${serviceInstance('ingest').opsPort}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('pdme_ingest_events_total{source="dnstap",outcome="read"'));
  return Number(line?.split(' ').at(-1) ?? 0);
}

/** Every service ready on its ops port. */
export async function allServicesReady(): Promise<boolean> {
  const ready = await Promise.all(
    SERVICE_NAMES.map((s) =>
      fetch(`http://127.0.0.1:${serviceInstance(s).opsPort}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    ),
  );
  return ready.every(Boolean);
}

/** Restarts whatever of the stack is not running or not ready (the harness's last resort). */
export async function healStack(state: StackState, log: Log): Promise<void> {
  for (const service of SERVICE_NAMES) {
    const pids = groupPids(service);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
  }
  const paths = stackPaths();
  if (readPid(paths, 'kafka') === undefined || !isAlive(readPid(paths, 'kafka') ?? 0))
    await startKafka(paths, log);
  await startBindServer(log);
  for (const server of state.caches.servers) await startCache(state, server.name, log);
  for (const service of SERVICE_NAMES) {
    if (groupPids(service).length === 0) await startService(state, service, log);
  }
  await waitFor('every service ready', allServicesReady, 120_000);
}
