import type { CacheServerConfig } from '@pdme/common/config';
import { cacheRequest, type CacheTls } from './cacheWarmer.js';

export type HealthCheck = (server: CacheServerConfig) => Promise<boolean>;

/** GET /pdme-health on the cache server (over HTTPS with `tls`): healthy only on a 2xx within the timeout. */
export function httpHealthCheck(timeoutMs = 2_000, tls?: CacheTls): HealthCheck {
  return (server) =>
    new Promise<boolean>((resolve) => {
      const req = cacheRequest(
        { host: server.address, port: server.port, path: '/pdme-health', method: 'GET', timeout: timeoutMs },
        tls,
        (res) => {
          res.resume();
          res.on('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
          res.on('error', () => resolve(false));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
      req.end();
    });
}
