import { describe, expect, it } from 'vitest';
import { TOPICS } from '@pdme/common/topics';
import { redisAclLines, SERVICE_TOPICS, serviceAcls, type SecureMaterial } from './secure.js';
import { SERVICE_NAMES } from './services.js';
import { SECURE_PORTS } from './profile.js';
import { OPS_PORTS, GATEWAY_GRPC_PORT, GATEWAY_HTTP_PORT, serviceInstance } from './services.js';

describe('secure profile permissions', () => {
  it('lets exactly one service write each pipeline topic', () => {
    for (const topic of [
      TOPICS.dnsQueries,
      TOPICS.demandForecasts,
      TOPICS.mirrorCommands,
      TOPICS.mirrorResults,
    ]) {
      const writers = SERVICE_NAMES.filter((s) => SERVICE_TOPICS[s].write.includes(topic));
      expect(writers, topic).toHaveLength(1);
    }
    expect(SERVICE_NAMES.filter((s) => SERVICE_TOPICS[s].write.includes(TOPICS.mirrorCommands))).toEqual([
      'decision',
    ]);
  });

  it('grants the gateway no read and no write beyond external events', () => {
    const acls = serviceAcls('gateway');
    const literal = acls.filter((a) => a.resourceName !== 'pdme.');
    expect(literal.map((a) => a.resourceName)).toEqual([TOPICS.externalEvents]);
    expect(acls.every((a) => a.principal === 'User:gateway')).toBe(true);
  });

  it('writes only password digests into the Redis ACL and turns the default user off', () => {
    const user = (name: string) => ({ name, password: `pw-${name}-secret`, file: `/x/${name}` });
    const material: SecureMaterial['redis'] = {
      tls: { cert: 'c', key: 'k' },
      admin: user('pdme-admin'),
      users: new Map(SERVICE_NAMES.map((s) => [s, user(s)] as const)),
    };
    const lines = redisAclLines(material);
    expect(lines[0]).toBe('user default off');
    expect(lines.join('\n')).not.toContain('secret');
    expect(lines.find((l) => l.startsWith('user ingest '))).toMatch(
      /#[0-9a-f]{64} .*~pdme:\* .*&pdme:\* .*-@dangerous/,
    );
  });
});

describe('secure profile ports', () => {
  it('never shares a port with the plain stack', () => {
    const plain = new Set([
      ...Object.values(OPS_PORTS),
      GATEWAY_HTTP_PORT,
      GATEWAY_GRPC_PORT,
      19092,
      19093,
      6379,
      16379,
      15353,
      18053,
      18080,
    ]);
    const secure = [
      ...Object.values(SECURE_PORTS.ops),
      SECURE_PORTS.gatewayHttp,
      SECURE_PORTS.gatewayGrpc,
      SECURE_PORTS.kafka,
      SECURE_PORTS.kafkaController,
      SECURE_PORTS.redis,
      SECURE_PORTS.bind,
      SECURE_PORTS.bindStats,
      SECURE_PORTS.cache,
      SECURE_PORTS.origin,
    ];
    for (const port of secure) expect(plain.has(port), String(port)).toBe(false);
  });

  it('gives service instances the profile ports', () => {
    expect(serviceInstance('gateway', 2, SECURE_PORTS).env).toMatchObject({
      GATEWAY_PORT: '28002',
      OPS_PORT: '28151',
    });
    expect(serviceInstance('ingest', 1).opsPort).toBe(18110);
  });
});
