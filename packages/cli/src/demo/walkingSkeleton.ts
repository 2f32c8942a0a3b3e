import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { readBootstrapKey } from '@pdme/common/auth';
import type { StackState } from '../stack/stack.js';
import { clusterClient, dnsQuery, type DnsResponse } from '../stack/dns.js';
import { sleep } from '../stack/processes.js';

export interface DemoOptions {
  readonly resource: string;
  /** Queries sent for the resource: the crowd. */
  readonly queries: number;
  readonly timeoutMs: number;
  readonly log: (message: string) => void;
}

export interface DemoReport {
  readonly resource: string;
  readonly cluster: string;
  readonly queriesSent: number;
  readonly before: string;
  readonly forecast: unknown;
  readonly mirror: unknown;
  readonly after: string;
  readonly digOutput: string;
  readonly cacheStatusAfter: string | undefined;
  readonly signalToVisibleMs: number;
  readonly totalMs: number;
}

function describeAnswer(response: DnsResponse): string {
  return (
    response.answers.map((a) => `${a.name} ${a.ttl} ${a.type} ${a.data}`).join(' | ') ||
    `(no answer, rcode ${response.rcode})`
  );
}

function dig(state: StackState, source: string, name: string): string {
  const result = spawnSync(
    'dig',
    [`@${state.bind.server}`, '-p', String(state.bind.port), '-b', source, name, '+noall', '+answer'],
    {
      encoding: 'utf8',
    },
  );
  if (result.error) return `(dig not available: ${result.error.message}; install bind9-dnsutils)`;
  return result.stdout.trim();
}

function httpGet(address: string, port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path: '/', headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => {
        const header = res.headers['x-cache-status'];
        resolve(Array.isArray(header) ? header[0] : header);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The walking skeleton end to end: a crowd of real DNS queries for one resource from one cluster's
 * clients reaches BIND, whose dnstap feeds ingest; the forecast crosses the threshold, decision
 * reserves a cache, dns-updater warms it and rewrites the CNAME, and `dig` shows the mirror.
 */
export async function runWalkingSkeleton(state: StackState, options: DemoOptions): Promise<DemoReport> {
  const { log, resource } = options;
  const cluster = state.topology[0];
  if (cluster === undefined) throw new Error('demo: the stack has no cluster');
  const view = state.bind.views.find((v) => v.cluster === cluster.id);
  const source = view?.probeSource ?? state.bind.server;
  const started = Date.now();
  const ask = (from: string) =>
    dnsQuery({ server: state.bind.server, port: state.bind.port, name: resource, type: 'A', source: from });

  const before = describeAnswer(await ask(source));
  log(`before: ${resource} from cluster ${cluster.id} -> ${before}`);

  log(`sending ${options.queries} queries for ${resource} from ${cluster.id}'s clients (several /24s)`);
  const signalAt = Date.now();
  for (let i = 0; i < options.queries; i++) {
    // Spread over several /24s: one /24 is one client group, and the forecaster caps each group's influence.
    await ask(clusterClient(cluster, i));
    if (i % 10 === 9) await sleep(50);
  }

  log('waiting for forecast -> decision -> warm -> DNS update ...');
  const deadline = Date.now() + options.timeoutMs;
  let visibleAt: number | undefined;
  let after = before;
  while (Date.now() < deadline) {
    const response = await ask(source);
    if (response.answers.some((a) => a.type === 'CNAME')) {
      visibleAt = Date.now();
      after = describeAnswer(response);
      break;
    }
    await sleep(250);
  }
  if (visibleAt === undefined) {
    throw new Error(
      `demo: no CNAME for ${resource} after ${options.timeoutMs} ms; see the service logs under .pdme/stack/logs`,
    );
  }
  const stats = (await (
    await fetch(`${state.gateway.http}/pdme/stats?cluster=${cluster.id}&resource=${resource}`, {
      headers: statsHeaders(state),
    })
  ).json()) as {
    mirrors?: unknown[];
    forecasts?: unknown[];
  };
  const mirror = stats.mirrors?.[0];
  const forecast = stats.forecasts?.[0];
  const target = /CNAME (\S+?)\.?(?: |$)/.exec(after)?.[1];
  const server = state.caches.servers.find((s) => s.host === target);
  const cacheStatusAfter =
    server === undefined ? undefined : await httpGet(server.address, server.port, resource);
  return {
    resource,
    cluster: cluster.id,
    queriesSent: options.queries,
    before,
    forecast,
    mirror,
    after,
    digOutput: dig(state, source, resource),
    cacheStatusAfter,
    signalToVisibleMs: visibleAt - signalAt,
    totalMs: Date.now() - started,
  };
}

/** The stack's read key (written at `stack up`) as a bearer token; none when the stack has no keys. */
function statsHeaders(state: StackState): Record<string, string> {
  const key = readBootstrapKey(join(dirname(state.configFile), 'secrets'), 'pdme:read');
  return key === undefined ? {} : { authorization: `Bearer ${key}` };
}
