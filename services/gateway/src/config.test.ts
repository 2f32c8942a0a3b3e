import { PdmeError } from '@pdme/common/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSampleConfigFile } from '../test/fixtures.js';
import { GatewayEnvSchema, loadGatewayConfig } from './config.js';

function configError(fn: () => unknown): PdmeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PdmeError) return error;
    throw error;
  }
  throw new Error('expected a PdmeError');
}

describe('loadGatewayConfig', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  it('applies the defaults and reads the config file', () => {
    const file = writeSampleConfigFile();
    cleanups.push(file.cleanup);
    const config = loadGatewayConfig({ PDME_CONFIG_FILE: file.path });
    expect(config).toMatchObject({
      configFile: file.path,
      redisUrl: 'redis://127.0.0.1:6379',
      host: '127.0.0.1',
      httpPort: 18000,
      grpcPort: 18001,
      opsPort: 18150,
      logLevel: 'info',
    });
    expect(config.pdme.clusters.map((c) => c.id)).toEqual(['eu', 'us']);
  });

  it('takes values from the environment', () => {
    const file = writeSampleConfigFile();
    cleanups.push(file.cleanup);
    const config = loadGatewayConfig({
      PDME_CONFIG_FILE: file.path,
      REDIS_URL: 'redis://redis:6379/2',
      GATEWAY_HOST: '0.0.0.0',
      GATEWAY_PORT: '8080',
      GATEWAY_GRPC_PORT: '0',
      OPS_PORT: '9090',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://redis:6379/2',
      host: '0.0.0.0',
      httpPort: 8080,
      grpcPort: 0,
      opsPort: 9090,
      logLevel: 'debug',
    });
  });

  it('lists every bad variable at once', () => {
    const error = configError(() =>
      loadGatewayConfig({ GATEWAY_PORT: '70000', OPS_PORT: '', LOG_LEVEL: 'loud', REDIS_URL: 'http://x' }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    for (const name of ['PDME_CONFIG_FILE', 'GATEWAY_PORT', 'OPS_PORT', 'LOG_LEVEL', 'REDIS_URL']) {
      expect(error.message).toContain(name);
    }
  });

  it('fails with CONFIG_INVALID when the config file is missing', () => {
    expect(configError(() => loadGatewayConfig({ PDME_CONFIG_FILE: '/nonexistent/pdme.json' })).code).toBe(
      'CONFIG_INVALID',
    );
  });

  it('parses port text strictly', () => {
    expect(GatewayEnvSchema.safeParse({ PDME_CONFIG_FILE: 'x', GATEWAY_PORT: '80a' }).success).toBe(false);
    expect(GatewayEnvSchema.safeParse({ PDME_CONFIG_FILE: 'x', GATEWAY_PORT: '-1' }).success).toBe(false);
  });
});
