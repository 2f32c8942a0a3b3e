import { request } from 'node:http';
import { PdmeError } from '@pdme/common/errors';

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
}

interface FetchResult {
  readonly status: number;
  readonly cacheStatus: string | undefined;
  readonly bytes: number;
}

function fetchThroughCache(target: WarmTarget, path: string, timeoutMs: number): Promise<FetchResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.address,
        port: target.port,
        path,
        method: 'GET',
        headers: { host: target.resource },
        timeout: timeoutMs,
      },
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
        first = await fetchThroughCache(target, path, options.timeoutMs);
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
      const second = await fetchThroughCache(target, path, options.timeoutMs);
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
