import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StackPaths } from './paths.js';

export interface DetachedSpec {
  /** Unique within the stack: names the pid file and the log file. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Starts a process that outlives the CLI, in its own process group, logging to logs/<name>.log. */
export function startDetached(paths: StackPaths, spec: DetachedSpec): number {
  mkdirSync(paths.logs, { recursive: true });
  mkdirSync(paths.pids, { recursive: true });
  const log = openSync(join(paths.logs, `${spec.name}.log`), 'a');
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', log, log],
  });
  if (child.pid === undefined) throw new Error(`stack: could not start ${spec.name} (${spec.command})`);
  child.unref();
  writeFileSync(pidFile(paths, spec.name), `${child.pid}\n`);
  return child.pid;
}

export function pidFile(paths: StackPaths, name: string): string {
  return join(paths.pids, `${name}.pid`);
}

export function readPid(paths: StackPaths, name: string): number | undefined {
  const file = pidFile(paths, name);
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by init) still answers signal 0 but is gone for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export function runningPid(paths: StackPaths, name: string): number | undefined {
  const pid = readPid(paths, name);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/**
 * Stops a detached process and its whole group: SIGTERM first so it drains, SIGKILL after the grace
 * period. Returns whether anything was running.
 */
export async function stopDetached(paths: StackPaths, name: string, graceMs = 10_000): Promise<boolean> {
  const pid = readPid(paths, name);
  rmSync(pidFile(paths, name), { force: true });
  if (pid === undefined || !isAlive(pid)) return false;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  signalGroup(pid, 'SIGKILL');
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or the timeout passes; the error names what was awaited. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`stack: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}
