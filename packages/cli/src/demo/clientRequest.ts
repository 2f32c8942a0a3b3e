import { request, type Agent } from 'node:http';
import type { CacheServerInfo } from '../stack/caches.js';
import { dnsQuery } from '../stack/dnsQuery.js';

/** How one replayed request ended: every request has exactly one. */
export type Outcome = 'hit' | 'miss' | 'error';

export interface RequestResult {
  readonly outcome: Outcome;
  /** `mirror`: the DNS answer was PDME's CNAME; `edge`: the origin's A, served by the cluster's edge cache. */
  readonly route: 'mirror' | 'edge' | 'none';
  readonly server: string | undefined;
  /** X-Cache-Status as the cache sent it (HIT, MISS, EXPIRED, ...). */
  readonly cacheStatus: string | undefined;
  readonly status: number | undefined;
  readonly bodyBytes: number;
  readonly error: string | undefined;
}

export interface ClientTarget {
  readonly bind: { readonly server: string; readonly port: number };
  readonly originAddress: string;
  readonly servers: readonly CacheServerInfo[];
  /** Keep-alive connections of the run (pooled per cache server and client address). */
  readonly agent: Agent;
}

const HTTP_TIMEOUT_MS = 5_000;
/** Marks the demo's client requests in the caches' access logs (warm fetches are not the clients'). */
export const DEMO_USER_AGENT = 'pdme-demo-client';

/**
 * What a client in `cluster` does: asks BIND for the name (from its own address, which picks the
 * cluster's view), then fetches `/` from whatever the answer names. A CNAME names a cache server;
 * the origin's A record (nothing mirrored) sends the client to its cluster's edge cache, the first
 * cache server of the cluster: without PDME, caches only react (the fair baseline).
 */
export async function clientRequest(
  target: ClientTarget,
  cluster: string,
  source: string,
  name: string,
): Promise<RequestResult> {
  let server: CacheServerInfo | undefined;
  let route: RequestResult['route'] = 'none';
  try {
    const answer = await dnsQuery({
      server: target.bind.server,
      port: target.bind.port,
      name,
      type: 'A',
      source,
    });
    const cname = answer.answers.find((a) => a.type === 'CNAME');
    const address = answer.answers.find((a) => a.type === 'A')?.data;
    if (cname !== undefined) {
      const host = cname.data.replace(/\.$/, '').toLowerCase();
      server = target.servers.find((s) => s.host === host);
      route = 'mirror';
      if (server === undefined) return failure(route, undefined, `CNAME to ${host}, not a cache server`);
    } else if (address === target.originAddress) {
      server = target.servers.find((s) => s.cluster === cluster);
      route = 'edge';
      if (server === undefined) return failure(route, undefined, `no cache server in cluster ${cluster}`);
    } else {
      server = target.servers.find((s) => s.address === address);
      route = 'edge';
      if (server === undefined)
        return failure(route, undefined, `answer ${address ?? `rcode ${answer.rcode}`}`);
    }
  } catch (error) {
    return failure(route, server?.name, `dns: ${error instanceof Error ? error.message : String(error)}`);
  }
  const via = server;
  return new Promise((resolve) => {
    const req = request(
      {
        host: via.address,
        port: via.port,
        path: '/',
        headers: { host: name, 'user-agent': DEMO_USER_AGENT },
        localAddress: source,
        agent: target.agent,
        timeout: HTTP_TIMEOUT_MS,
      },
      (res) => {
        let bodyBytes = 0;
        res.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
        res.on('end', () => {
          const header = res.headers['x-cache-status'];
          const cacheStatus = Array.isArray(header) ? header[0] : header;
          const status = res.statusCode;
          const ok = status !== undefined && status >= 200 && status < 400;
          resolve({
            outcome: !ok ? 'error' : cacheStatus === 'HIT' ? 'hit' : 'miss',
            route,
            server: via.name,
            cacheStatus,
            status,
            bodyBytes,
            error: ok ? undefined : `HTTP ${status ?? '?'}`,
          });
        });
        res.on('error', (error) => resolve(failure(route, via.name, `http: ${error.message}`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${HTTP_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve(failure(route, via.name, `http ${via.name}: ${error.message}`)));
    req.end();
  });
}

function failure(route: RequestResult['route'], server: string | undefined, error: string): RequestResult {
  return { outcome: 'error', route, server, cacheStatus: undefined, status: undefined, bodyBytes: 0, error };
}
