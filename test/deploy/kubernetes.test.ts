import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig, ServiceEnvSchema, TRANSPORT_ENV_KEYS } from '@pdme/common/config';
import { GatewayEnvSchema } from '../../services/gateway/src/config.js';
import { repoRoot } from '@pdme/common/repo-root';
import { kustomize, type K8sObject } from './kustomize.js';

const root = repoRoot();
const SERVICES = ['ingest', 'forecaster', 'decision', 'dns-updater', 'gateway'] as const;
/** Lifecycle caps a service's shutdown at 20 s (packages/common/src/lifecycle). */
const SHUTDOWN_TIMEOUT_S = 20;

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** The kubernetes-models class for an object: core and apps kinds, and prometheus-operator's CRDs. */
async function modelFor(object: K8sObject): Promise<ModelClass> {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const path =
    group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`
      : `kubernetes-models/${group === '' ? '' : `${group}/`}${version}/${object.kind}`;
  const module = (await import(path)) as Record<string, ModelClass | undefined>;
  const model = module[object.kind];
  if (model === undefined)
    throw new Error(`no kubernetes-models class for ${object.apiVersion} ${object.kind}`);
  return model;
}

interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
}
interface PodSpec {
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean };
  containers: Container[];
}

function podSpec(deployment: K8sObject): PodSpec {
  return (deployment['spec'] as { template: { spec: PodSpec } }).template.spec;
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** A container's environment as the service sees it: ConfigMap envFrom, then env (secrets stand-ins). */
function effectiveEnv(objects: K8sObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name;
    if (name !== undefined) Object.assign(env, find(objects, 'ConfigMap', name)['data'] ?? {});
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef !== undefined)
      env[e.name] = e.name === 'REDIS_URL' ? 'redis://:secret@redis.redis.svc:6379' : 'secret';
    else env[e.name] = 'from-the-downward-api';
  }
  return env;
}

for (const overlay of ['dev', 'prod']) {
  describe(`deploy/k8s/overlays/${overlay}`, () => {
    const objects = kustomize(join(root, 'deploy/k8s/overlays', overlay));

    it('renders every object valid against the Kubernetes OpenAPI schema (kubernetes-models)', async () => {
      expect(objects.length).toBeGreaterThan(20);
      for (const object of objects) {
        const Model = await modelFor(object);
        expect(() => new Model(object).validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
      }
    });

    it('rejects a broken object, so the schema check can fail', async () => {
      const deployment = structuredClone(find(objects, 'Deployment', 'decision'));
      const container = podSpec(deployment).containers[0] as unknown as Record<string, unknown>;
      container['readinessProbe'] = { httpGet: { path: '/readyz', port: 'ops' }, periodSeconds: 'often' };
      const Model = await modelFor(deployment);
      expect(() => new Model(deployment).validate()).toThrow(/periodSeconds/);
    });

    it('puts everything in the overlay namespace', () => {
      expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(
        new Set([overlay === 'dev' ? 'pdme-dev' : 'pdme']),
      );
    });

    for (const name of SERVICES) {
      it(`${name}: Deployment with probes, resources, non-root read-only security, ServiceAccount, grace`, () => {
        const spec = podSpec(find(objects, 'Deployment', name));
        expect(spec.serviceAccountName).toBe(name);
        find(objects, 'ServiceAccount', name);
        expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(SHUTDOWN_TIMEOUT_S);
        expect(spec.securityContext?.runAsNonRoot).toBe(true);
        expect(spec.containers.length).toBeGreaterThan(0);
        for (const c of spec.containers) {
          expect(c.image).toMatch(new RegExp(`pdme/${name}:`));
          expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'ops' });
          expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'ops' });
          for (const kind of ['requests', 'limits'] as const) {
            expect(c.resources?.[kind]?.['cpu'], `${kind}.cpu`).toBeDefined();
            expect(c.resources?.[kind]?.['memory'], `${kind}.memory`).toBeDefined();
          }
          expect(c.securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          const env = effectiveEnv(objects, c);
          const ops = c.ports?.find((p) => p.name === 'ops')?.containerPort;
          expect(env['OPS_PORT']).toBe(String(ops));
          if (name === 'gateway') {
            const parsed = GatewayEnvSchema.parse(env);
            expect(parsed.GATEWAY_HOST).toBe('0.0.0.0');
            expect(c.ports?.map((p) => p.containerPort)).toEqual(
              expect.arrayContaining([parsed.GATEWAY_PORT, parsed.GATEWAY_GRPC_PORT]),
            );
          } else {
            // Every variable of the shared schema is set (defaults point at 127.0.0.1).
            // Transport security (TLS/SASL) variables are optional.
            for (const key of Object.keys(ServiceEnvSchema.shape).filter(
              (k) => !TRANSPORT_ENV_KEYS.includes(k),
            ))
              expect(env, key).toHaveProperty(key);
            expect(ServiceEnvSchema.parse(env).OPS_HOST).toBe('0.0.0.0');
          }
          if (name === 'ingest') expect(env['DNSTAP_TCP'] ?? env['DNSTAP_SOCKET']).toBeDefined();
          if (name === 'dns-updater') {
            for (const cluster of ['C1', 'C2'])
              expect(env, `PDME_TSIG_${cluster}`).toHaveProperty(`PDME_TSIG_${cluster}`);
          }
        }
      });

      it(`${name}: Service on its ports, HPA on CPU, PodDisruptionBudget`, () => {
        const service = find(objects, 'Service', name)['spec'] as { ports: { name: string }[] };
        expect(service.ports.map((p) => p.name)).toContain('ops');
        const hpa = find(objects, 'HorizontalPodAutoscaler', name)['spec'] as {
          scaleTargetRef: { name: string };
          metrics: { type: string; resource?: { name: string } }[];
        };
        expect(hpa.scaleTargetRef.name).toBe(name);
        expect(hpa.metrics.some((m) => m.type === 'Resource' && m.resource?.name === 'cpu')).toBe(true);
        find(objects, 'PodDisruptionBudget', name);
      });
    }

    it('mounts a PDME config that validates, and its clusters have TSIG keys in the Secret', () => {
      const configMap = find(objects, 'ConfigMap', 'pdme-config')['data'] as Record<string, string>;
      const env = find(objects, 'ConfigMap', 'pdme-env')['data'] as Record<string, string>;
      const file = env['PDME_CONFIG_FILE'] ?? '';
      const text = configMap[file.split('/').pop() ?? ''];
      expect(text).toBeDefined();
      const config = parseConfig(parse(text ?? ''), 'k8s config');
      const updater = podSpec(find(objects, 'Deployment', 'dns-updater')).containers[0];
      for (const cluster of config.clusters) {
        expect(cluster.dns.keyFile).toBeUndefined();
        expect(
          updater?.env?.find((e) => e.name === `PDME_TSIG_${cluster.id.toUpperCase()}`)?.valueFrom
            ?.secretKeyRef,
        ).toEqual({
          name: 'pdme-tsig',
          key: cluster.id,
        });
      }
    });

    it('denies by default and allows only the pipeline flows', () => {
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      const deny = find(objects, 'NetworkPolicy', 'pdme-default-deny')['spec'] as Record<string, unknown>;
      expect(deny['policyTypes']).toEqual(['Ingress', 'Egress']);
      expect(deny['ingress']).toBeUndefined();
      expect(deny['egress']).toBeUndefined();
      const ports = JSON.stringify(policies.map((p) => p['spec']));
      for (const port of ['9092', '6379', '"dnstap"', '"http"', '"grpc"', '"ops"'])
        expect(ports).toContain(port);
    });

    if (overlay === 'prod') {
      it('adds the ServiceMonitor and Kafka-lag autoscaling components', () => {
        const monitor = find(objects, 'ServiceMonitor', 'pdme')['spec'] as { endpoints: { port: string }[] };
        expect(monitor.endpoints.map((e) => e.port)).toEqual(['ops']);
        const hpa = find(objects, 'HorizontalPodAutoscaler', 'decision')['spec'] as {
          metrics: { type: string }[];
        };
        expect(hpa.metrics.map((m) => m.type)).toEqual(['Resource', 'External']);
      });
    }
  });
}
