import {
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import { PdmeError } from '@pdme/common/errors';

/** HTTPS towards the cache servers, their certificates checked against `ca` (system CAs without). */
export interface CacheTls {
  readonly ca?: Buffer;
}

/** An HTTP or, with `tls`, an HTTPS request: the one place that decides how PDME talks to caches. */
export function cacheRequest(
  options: RequestOptions,
  tls: CacheTls | undefined,
  onResponse: (res: IncomingMessage) => void,
): ClientRequest {
  if (tls === undefined) return httpRequest(options, onResponse);
  const address = options.host ?? '';
  return httpsRequest(
    {
      ...options,
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      // Node would take the Host header (the resource) as SNI and as the name to verify: SNI would then
      // show the resource in clear in the ClientHello. The cache is identified by its address instead.
      servername: '',
      checkServerIdentity: (_name, cert) => checkServerIdentity(address, cert),
    },
    onResponse,
  );
}

export interface WarmTarget {
  /** The resource's host name, sent as Host so the cache keys the content as clients will ask. */
  readonly resource: string;
  readonly address: string;
  readonly port: number;
  readonly paths: readonly string[];
}

export interface WarmOptions {
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly tls?: CacheTls;
}

interface FetchResult {
  readonly status: number;
  readonly cacheStatus: string | undefined;
  readonly bytes: number;
}

function fetchThroughCache(
  target: WarmTarget,
  path: string,
  options: Pick<WarmOptions, 'timeoutMs' | 'tls'>,
): Promise<FetchResult> {
  const { timeoutMs } = options;
  return new Promise((resolve, reject) => {
    const req = cacheRequest(
      {
        host: target.address,
        port: target.port,
        path,
        method: 'GET',
        headers: { host: target.resource },
        timeout: timeoutMs,
      },
      options.tls,
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => {
          const header = res.headers['x-cache-status'];
          resolve({
            status: res.statusCode ?? 0,
            cacheStatus: Array.isArray(header) ? header[0] : header,
            bytes,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Warms a cache server: fetches each path through it, then fetches again and requires the cache to
 * answer HIT, so DNS only moves clients to a cache that really holds the content.
 */
export async function warmAndVerify(target: WarmTarget, options: WarmOptions): Promise<{ bytes: number }> {
  let total = 0;
  const queue = [...target.paths];
  const where = `${target.resource} via ${target.address}:${target.port}`;
  const worker = async () => {
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
      let first: FetchResult;
      try {
        first = await fetchThroughCache(target, path, options);
      } catch (error) {
        throw new PdmeError('WARM_FAILED', `warming ${where}${path}: ${String(error)}`, {
          cause: error,
          retryable: true,
        });
      }
      if (first.status < 200 || first.status >= 300) {
        throw new PdmeError('WARM_FAILED', `warming ${where}${path}: HTTP ${first.status}`, {
          retryable: true,
        });
      }
      const second = await fetchThroughCache(target, path, options);
      if (second.cacheStatus?.toUpperCase() !== 'HIT') {
        throw new PdmeError(
          'WARM_FAILED',
          `warming ${where}${path}: cache did not keep it (X-Cache-Status ${second.cacheStatus ?? 'absent'})`,
          { retryable: true },
        );
      }
      total += first.bytes;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, target.paths.length) }, worker));
  return { bytes: total };
}
