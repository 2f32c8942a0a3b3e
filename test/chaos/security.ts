import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dnsQuery } from '@pdme/cli/dns';
import { SERVICE_NAMES, stackPaths, type StackState } from '@pdme/cli/stack';

/**
 * Security checks on the running stack: raw client addresses in service logs (topics are scanned by
 * the topic reader), credentials on every mutating API route, and TSIG on every DNS change.
 */

/** Lines of each service's log that hold one of `addresses` (a whole address, not a prefix). */
export function logLeaks(addresses: Iterable<string>): string[] {
  const list = [...addresses];
  if (list.length === 0) return [];
  const pattern = new RegExp(`(?<![\\d.])(${list.map((a) => a.replace(/\./g, '\\.')).join('|')})(?![\\d])`);
  const leaks: string[] = [];
  for (const service of SERVICE_NAMES) {
    const file = join(stackPaths().logs, `${service}.log`);
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (pattern.test(line)) leaks.push(`${service}.log:${i + 1}`);
    });
  }
  return leaks;
}

export const MUTATING_ROUTES = [
  { method: 'PUT', route: '/pdme/config' },
  { method: 'PATCH', route: '/pdme/config' },
  { method: 'POST', route: '/pdme/events' },
] as const;

export interface AuthCheck {
  readonly route: string;
  readonly credentials: 'none' | 'read key' | 'bad key';
  readonly status: number;
  readonly expected: number;
}

export async function authChecks(state: StackState, readKey: string): Promise<AuthCheck[]> {
  const checks: AuthCheck[] = [];
  const attempts = [
    { credentials: 'none', header: undefined, expected: 401 },
    { credentials: 'bad key', header: `Bearer pdme_${randomBytes(16).toString('hex')}`, expected: 401 },
    { credentials: 'read key', header: `Bearer ${readKey}`, expected: 403 },
  ] as const;
  for (const { method, route } of MUTATING_ROUTES) {
    for (const attempt of attempts) {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'if-match': '"1"' };
      if (attempt.header !== undefined) headers['authorization'] = attempt.header;
      const res = await fetch(`${state.gateway.http}${route}`, { method, headers, body: '{}' });
      await res.body?.cancel();
      checks.push({
        route: `${method} ${route}`,
        credentials: attempt.credentials,
        status: res.status,
        expected: attempt.expected,
      });
    }
  }
  return checks;
}

export interface TsigCheck {
  readonly attempt: string;
  readonly refused: boolean;
  readonly detail: string;
  /** The name the UPDATE tried to add does not resolve in the view afterwards. */
  readonly absent: boolean;
}

/** nsupdate without a key, and with a key of the right name but the wrong secret, into view c1. */
export async function tsigChecks(state: StackState): Promise<TsigCheck[]> {
  const view = state.bind.views[0];
  const key = state.bind.keys.find((k) => k.cluster === view?.cluster);
  if (view === undefined || key === undefined) throw new Error('chaos: the stack has no view or TSIG key');
  const attempts = [
    { attempt: 'no TSIG', keyArgs: [] as string[] },
    {
      attempt: 'wrong TSIG secret',
      keyArgs: ['-y', `${key.algorithm}:${key.name}:${randomBytes(32).toString('base64')}`],
    },
  ];
  const checks: TsigCheck[] = [];
  for (const { attempt, keyArgs } of attempts) {
    const name = `chaos-tsig-${randomBytes(4).toString('hex')}.${state.bind.zone}`;
    const script = [
      `server ${state.bind.server} ${state.bind.port}`,
      `zone ${state.bind.zone}`,
      `update add ${name} 30 CNAME cache-c1-a.${state.bind.zone}.`,
      'send',
      '',
    ].join('\n');
    const out = spawnSync('nsupdate', ['-t', '5', ...keyArgs], { input: script, encoding: 'utf8' });
    const detail = `${out.stdout}${out.stderr}`.trim().split('\n').slice(-1)[0] ?? '';
    const answer = await dnsQuery({
      server: state.bind.server,
      port: state.bind.port,
      name,
      type: 'CNAME',
      source: view.probeSource,
    });
    checks.push({
      attempt,
      refused: out.status !== 0,
      detail,
      absent: !answer.answers.some((a) => a.type === 'CNAME'),
    });
  }
  return checks;
}
