import { request } from 'node:http';
import { dnsQuery, type DnsResponse } from '@pdme/cli/dns';
import type { StackState } from '@pdme/cli/stack';

/**
 * Client traffic the harness can account for: DNS queries from a cluster's subnet for names unique
 * to one run, and cache requests whose access-log lines ingest follows. Only queries BIND answered
 * count as sent (a query to a stopped BIND reaches nobody); the sources are recorded so the
 * security check can look for them on every topic and in every log.
 */

/** The path of the harness's cache requests (dns-updater's warm-up requests use others). */
export const ACCESS_PATH = '/chaos';

export type ClusterInfo = StackState['topology'][number];

const subnetBase = (cidr: string) => cidr.split('/')[0]?.split('.').slice(0, 3).join('.') ?? '127.0.0';

export function clientAddress(cluster: ClusterInfo, n: number): string {
  return `${subnetBase(cluster.subnet)}.${n}`;
}

export interface SentQueries {
  /** Answered queries per resource and cluster (`resource|cluster`). */
  readonly answered: Map<string, number>;
  /** Queries that got no answer (BIND down). */
  unanswered: number;
  readonly sources: Set<string>;
}

export function newSent(): SentQueries {
  return { answered: new Map(), unanswered: 0, sources: new Set() };
}

export const seriesKey = (resource: string, cluster: string) => `${resource}|${cluster}`;

export function totalAnswered(sent: SentQueries): number {
  let n = 0;
  for (const v of sent.answered.values()) n += v;
  return n;
}

/** One counted query; resolves with BIND's answer, or undefined when none came. */
export async function countedQuery(
  state: StackState,
  sent: SentQueries,
  query: { resource: string; cluster: ClusterInfo; client: number },
): Promise<DnsResponse | undefined> {
  const source = clientAddress(query.cluster, query.client);
  sent.sources.add(source);
  try {
    const response = await dnsQuery({
      server: state.bind.server,
      port: state.bind.port,
      name: query.resource,
      type: 'A',
      source,
      timeoutMs: 2_000,
    });
    const key = seriesKey(query.resource, query.cluster.id);
    sent.answered.set(key, (sent.answered.get(key) ?? 0) + 1);
    return response;
  } catch {
    sent.unanswered++;
    return undefined;
  }
}

/** `count` queries for `resource` from distinct clients of `cluster`, `concurrency` at a time. */
export async function sendCrowd(
  state: StackState,
  sent: SentQueries,
  crowd: {
    resource: string;
    cluster: ClusterInfo;
    count: number;
    concurrency?: number;
    spreadMs?: number;
    /** Clients are firstClient .. firstClient + 89 of the cluster's subnet. */
    firstClient?: number;
  },
): Promise<void> {
  const concurrency = crowd.concurrency ?? 8;
  let next = 0;
  const gapMs = crowd.spreadMs === undefined ? 0 : crowd.spreadMs / crowd.count;
  const worker = async () => {
    while (next < crowd.count) {
      const i = next++;
      await countedQuery(state, sent, {
        resource: crowd.resource,
        cluster: crowd.cluster,
        client: (crowd.firstClient ?? 110) + (i % 90),
      });
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs * concurrency));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export interface SentAccess {
  /** Requests per resource that nginx answered (and so logged). */
  readonly answered: Map<string, number>;
  failed: number;
}

export function newSentAccess(): SentAccess {
  return { answered: new Map(), failed: 0 };
}

/** One cache request for `resource` (nginx logs it, ingest follows the log). */
export function accessRecord(
  server: { address: string; port: number },
  resource: string,
  sent: SentAccess,
  localAddress?: string,
): Promise<void> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: server.address,
        port: server.port,
        path: ACCESS_PATH,
        headers: { host: resource },
        localAddress,
        timeout: 5_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          sent.answered.set(resource, (sent.answered.get(resource) ?? 0) + 1);
          resolve();
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      sent.failed++;
      resolve();
    });
    req.end();
  });
}
