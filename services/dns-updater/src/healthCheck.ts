import { request } from 'node:http';
import type { CacheServerConfig } from '@pdme/common/config';

export type HealthCheck = (server: CacheServerConfig) => Promise<boolean>;

/** GET /pdme-health on the cache server: healthy only on a 2xx within the timeout. */
export function httpHealthCheck(timeoutMs = 2_000): HealthCheck {
  return (server) =>
    new Promise<boolean>((resolve) => {
      const req = request(
        { host: server.address, port: server.port, path: '/pdme-health', method: 'GET', timeout: timeoutMs },
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
