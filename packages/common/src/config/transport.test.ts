import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index.js';
import { loadEnv, ServiceEnvSchema } from './env.js';
import { kafkaSecurity, redisSecurity, TransportEnvSchema } from './transport.js';

const dir = mkdtempSync(join(tmpdir(), 'pdme-transport-'));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};
const ca = write('ca.pem', 'CA-PEM');
const cert = write('cert.pem', 'CERT-PEM');
const key = write('key.pem', 'KEY-PEM');
const password = write('kafka.password', 's3cret-kafka\n');

describe('transport security from the environment', () => {
  it('is plaintext when nothing is set', () => {
    const env = loadEnv(TransportEnvSchema, {}, 'test');
    expect(kafkaSecurity(env)).toEqual({});
    expect(redisSecurity(env, 'redis://127.0.0.1:6379')).toEqual({});
  });

  it('reads Kafka TLS files and the SCRAM password from its file, without the newline', () => {
    const env = loadEnv(
      TransportEnvSchema,
      {
        KAFKA_SSL_CA_FILE: ca,
        KAFKA_SSL_CERT_FILE: cert,
        KAFKA_SSL_KEY_FILE: key,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'ingest',
        KAFKA_SASL_PASSWORD_FILE: password,
      },
      'test',
    );
    const security = kafkaSecurity(env);
    expect(security.ssl).toMatchObject({ ca: Buffer.from('CA-PEM'), cert: Buffer.from('CERT-PEM') });
    expect(security.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'ingest',
      password: 's3cret-kafka',
    });
  });

  it('turns a rediss:// URL into TLS and adds the ACL user', () => {
    const env = loadEnv(
      TransportEnvSchema,
      { REDIS_TLS_CA_FILE: ca, REDIS_USERNAME: 'decision', REDIS_PASSWORD: 'redis-pass' },
      'test',
    );
    expect(redisSecurity(env, 'rediss://127.0.0.1:26379')).toEqual({
      tls: { ca: Buffer.from('CA-PEM') },
      username: 'decision',
      password: 'redis-pass',
    });
  });

  it('names every inconsistent variable at once', () => {
    expect(() =>
      loadEnv(
        TransportEnvSchema,
        {
          KAFKA_SSL_CERT_FILE: cert,
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          REDIS_URL: 'redis://127.0.0.1:6379',
          REDIS_TLS_CA_FILE: ca,
        },
        'test',
      ),
    ).toThrow(/KAFKA_SSL_CERT_FILE: set both[\s\S]*KAFKA_SASL_USERNAME[\s\S]*REDIS_URL: REDIS_TLS_\* is set/);
  });

  it('fails with the file name when a secret file is missing', () => {
    const env = loadEnv(TransportEnvSchema, { REDIS_PASSWORD_FILE: join(dir, 'absent') }, 'test');
    expect(() => redisSecurity(env, 'redis://x:1')).toThrow(/cannot read Redis password file .*absent/);
  });

  it('is part of every service environment, optional', () => {
    const env = ServiceEnvSchema.parse({ PDME_CONFIG_FILE: 'x', OPS_PORT: '1', KAFKA_SASL_USERNAME: 'u' });
    expect(env.KAFKA_SASL_USERNAME).toBe('u');
    expect(ServiceEnvSchema.parse({ PDME_CONFIG_FILE: 'x', OPS_PORT: '1' }).KAFKA_SSL).toBeUndefined();
  });

  it('never logs the secrets of an options object that reaches a log call', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('test', { destination: sink });
    const security = kafkaSecurity(
      loadEnv(
        TransportEnvSchema,
        {
          KAFKA_SSL_KEY_FILE: key,
          KAFKA_SSL_CERT_FILE: cert,
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: 'u',
          KAFKA_SASL_PASSWORD_FILE: password,
        },
        'test',
      ),
    );
    logger.info({ event: 'test.options', options: security, ...security }, 'options');
    logger.info({ event: 'test.redis', tls: { key: 'KEY-PEM' }, password: 'redis-pass' }, 'redis');
    const text = lines.join('');
    expect(text).toContain('test.options');
    for (const secret of ['s3cret-kafka', 'KEY-PEM', 'redis-pass']) expect(text).not.toContain(secret);
  });
});
