import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { ensureBootstrapKeys } from '@pdme/common/auth';
import { parseConfig } from '@pdme/common/config';
import { cacheInfo, startCaches, stopCaches, type CacheInfo } from './caches.js';
import {
  ORIGIN,
  bindInfo,
  dnsQuery,
  defaultTopology,
  startBind,
  stopBind,
  type BindInfo,
  type ClusterTopology,
} from './dns.js';
import { startKafka, stopKafka, type KafkaInfo } from './kafka.js';
import { stackPaths, type StackPaths } from './paths.js';
import { runningPid, sleep, waitFor } from './processes.js';
import type { ProfileName, StackProfile } from './profile.js';
import { ensureRedis, ensureSecureRedis, secureRedisOptions, stopOwnRedis } from './redis.js';
import {
  prepareSecureMaterial,
  provisionKafka,
  redisAclLines,
  secureCommonEnv,
  secureServiceEnv,
  type SecureMaterial,
} from './secure.js';
import {
  GATEWAY_GRPC_PORT,
  GATEWAY_HTTP_PORT,
  MAX_INSTANCES,
  PLAIN_SERVICE_PORTS,
  allInstances,
  startInstance,
  stopInstance,
  waitInstanceReady,
  type ServiceName,
  type ServicePorts,
} from './services.js';
import { ensureEnvelopeKeyring, envelopeKeyringFile } from './envelopeKeyring.js';
import { localStackConfig } from './stackConfig.js';

/** What `stack up` started, written to <stack>/stack.json for the CLI, tests and the demo. */
export interface StackState {
  readonly startedMs: number;
  readonly kafka: KafkaInfo;
  readonly redisUrl: string;
  readonly bind: BindInfo;
  readonly caches: CacheInfo;
  readonly configFile: string;
  readonly gateway: { readonly http: string; readonly grpc: string };
  readonly opsPorts: Record<ServiceName, number>;
  readonly topology: readonly ClusterTopology[];
  /** Instances of each service `stack up --instances` started (absent in states written before). */
  readonly instances?: number;
  /** `secure` for the TLS profile (`stack up --secure`); absent for the plain stack. */
  readonly profile?: ProfileName;
  /** Secure profile: the CA that signed every certificate of the stack (clients check against it). */
  readonly caFile?: string;
  /**
   * Secure profile: environment layered over serviceEnv (TLS and SASL settings, each service's own
   * credentials by file). File paths only: no secret is written into stack.json.
   */
  readonly serviceEnvOverrides?: {
    readonly common: Readonly<Record<string, string>>;
    readonly perService: Readonly<Record<ServiceName, Readonly<Record<string, string>>>>;
  };
}

export interface StackUpOptions {
  /** Keep Kafka data, zones and Redis state from an earlier run instead of starting clean. */
  readonly keepData?: boolean;
  /** Start the PDME services too (default); false starts only Kafka, Redis, BIND and nginx. */
  readonly services?: boolean;
  /** Instances of each service, side by side (default 1); see serviceInstance for their ports. */
  readonly instances?: number;
  /** The secure profile (its own directory, ports, TLS everywhere); the plain stack without. */
  readonly profile?: StackProfile;
  readonly log: (message: string) => void;
}

const INFRA = ['kafka', 'bind', 'origin', 'redis'] as const;

export function stateFile(paths: StackPaths): string {
  return join(paths.root, 'stack.json');
}

export function readStackState(paths: StackPaths = stackPaths()): StackState | undefined {
  const file = stateFile(paths);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as StackState;
}

/** Names of the stack's processes that are running now. */
export function runningProcesses(paths: StackPaths, topology: readonly ClusterTopology[]): string[] {
  const names = [
    ...INFRA,
    ...topology.flatMap((c) => c.servers.map((s) => s.id)),
    ...allInstances(MAX_INSTANCES).map((i) => i.name),
  ];
  return names.filter((name) => runningPid(paths, name) !== undefined);
}

/** The environment each PDME service gets from the local stack. */
export function serviceEnv(state: StackState, paths: StackPaths, service?: ServiceName): NodeJS.ProcessEnv {
  const overrides = state.serviceEnvOverrides;
  return {
    ...plainServiceEnv(state, paths),
    ...overrides?.common,
    ...(service === undefined ? {} : overrides?.perService[service]),
  };
}

function plainServiceEnv(state: StackState, paths: StackPaths): NodeJS.ProcessEnv {
  // Created on first use too, so a stack started before at-rest encryption gets it at a restart.
  const envelopeKeyring = envelopeKeyringFile(paths);
  ensureEnvelopeKeyring(envelopeKeyring);
  return {
    PDME_CONFIG_FILE: state.configFile,
    KAFKA_BROKERS: state.kafka.bootstrap,
    REDIS_URL: state.redisUrl,
    LOG_LEVEL: 'info',
    DNSTAP_SOCKET: state.bind.dnstapSocket,
    // The caches' JSON access logs (each line names its server), followed into pdme.access-logs.v1.
    ACCESS_LOG_FILES: state.caches.servers.map((server) => server.accessLog).join(','),
    PDME_ANON_SECRET_FILE: join(paths.root, 'secrets', 'anonymization.key'),
    PDME_ENVELOPE_KEYRING_FILE: envelopeKeyring,
    GATEWAY_PORT: String(GATEWAY_HTTP_PORT),
    GATEWAY_GRPC_PORT: String(GATEWAY_GRPC_PORT),
  };
}

async function clearPdmeKeys(redisUrl: string, options: RedisOptions = {}): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, ...options });
  await redis.connect();
  try {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'pdme:*', 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.del(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    redis.disconnect();
  }
}

/** A read key and an admin key for the demo, tests and operators, kept in the stack's secrets. */
async function writeBootstrapKeys(
  redisUrl: string,
  secretsDir: string,
  options: RedisOptions = {},
): Promise<string[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, ...options });
  await redis.connect();
  try {
    return await ensureBootstrapKeys(redis, secretsDir);
  } finally {
    redis.disconnect();
  }
}

/** Starts Kafka, Redis, BIND, the caches and (by default) every PDME service; idempotent. */
export async function stackUp(options: StackUpOptions): Promise<StackState> {
  const { profile } = options;
  const paths = profile?.paths ?? stackPaths();
  const topology = profileTopology(profile);
  const { log } = options;
  const fresh = runningProcesses(paths, topology).length === 0 && options.keepData !== true;
  if (fresh && existsSync(paths.root)) {
    log(`stack: starting clean (removing ${paths.root})`);
    rmSync(paths.root, { recursive: true, force: true });
  }
  mkdirSync(join(paths.root, 'secrets'), { recursive: true, mode: 0o700 });
  const anonKey = join(paths.root, 'secrets', 'anonymization.key');
  if (!existsSync(anonKey)) writeFileSync(anonKey, randomBytes(32).toString('base64'), { mode: 0o600 });

  const origin = profile === undefined ? undefined : { address: ORIGIN.address, port: profile.ports.origin };
  const material =
    profile?.secure === true ? await prepareSecureMaterial(paths, topology, ORIGIN.address) : undefined;
  if (material !== undefined) log(`tls: CA and certificates in ${join(paths.root, 'tls')} (keys mode 0600)`);
  const redisUrl =
    profile !== undefined && material !== undefined
      ? await ensureSecureRedis(
          paths,
          {
            port: profile.ports.redis,
            caFile: material.caFile,
            certFile: material.redis.tls.cert,
            keyFile: material.redis.tls.key,
            aclLines: redisAclLines(material.redis),
            admin: material.redis.admin,
          },
          log,
        )
      : await ensureRedis(paths, log);
  const redisAdmin = material === undefined ? {} : secureRedisOptions(material, material.redis.admin);
  if (fresh)
    log(`redis: removed ${await clearPdmeKeys(redisUrl, redisAdmin)} pdme:* keys left by an earlier run`);
  const keyFiles = await writeBootstrapKeys(redisUrl, join(paths.root, 'secrets'), redisAdmin);
  if (keyFiles.length > 0) log(`auth: new API keys (read, admin) in ${keyFiles.join(', ')} (mode 0600)`);
  const [kafka, bind, caches] = await Promise.all([
    startKafka(
      paths,
      log,
      profile === undefined
        ? {}
        : {
            ports: {
              broker: profile.ports.kafka,
              controller: profile.ports.kafkaController,
              ...(profile.ports.kafkaInternal === undefined ? {} : { internal: profile.ports.kafkaInternal }),
            },
            ...(material === undefined ? {} : { security: material.kafka }),
          },
    ),
    startBind(
      paths,
      topology,
      log,
      ...(profile === undefined ? [] : [{ dns: profile.ports.bind, stats: profile.ports.bindStats }]),
    ),
    startCaches(paths, topology, log, {
      ...(origin === undefined ? {} : { origin }),
      ...(material === undefined ? {} : { tls: material.nginx }),
    }),
  ]);
  if (material !== undefined) {
    const acls = await provisionKafka(kafka.bootstrap, material.kafka);
    log(`kafka: topics created, ${acls} ACLs for the per-service SCRAM users`);
  }
  const configFile = join(paths.root, 'pdme.config.json');
  const config = localStackConfig(topology, bind);
  parseConfig(config, 'local stack config'); // never hand the services a config that does not validate
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const ports = servicePortsOf(profile);
  const state: StackState = {
    startedMs: Date.now(),
    kafka,
    redisUrl,
    bind,
    caches,
    configFile,
    gateway: {
      http: `${material === undefined ? 'http' : 'https'}://127.0.0.1:${ports.gatewayHttp}`,
      grpc: `127.0.0.1:${ports.gatewayGrpc}`,
    },
    opsPorts: { ...ports.ops },
    topology,
    instances: options.instances ?? 1,
    ...(profile === undefined ? {} : { profile: profile.name }),
    ...(material === undefined ? {} : secureState(material, profile, redisUrl)),
  };
  writeFileSync(stateFile(paths), `${JSON.stringify(state, null, 2)}\n`);
  if (options.services !== false) {
    const instances = allInstances(state.instances ?? 1, ports);
    for (const instance of instances)
      await startInstance(paths, instance, serviceEnv(state, paths, instance.service), log);
    await Promise.all(instances.map((instance) => waitInstanceReady(instance)));
    log(`stack: every service is ready (${state.instances ?? 1} instance(s) each)`);
    await waitDnstapFlowing(state);
    log('stack: BIND streams dnstap to ingest');
  }
  return state;
}

/**
 * BIND opens its dnstap connection only once it has frames to send, and drops the frames it has
 * while unconnected. Probe queries until ingest has read one, so the stack is only "up" once a
 * client's query is sure to be counted.
 */
async function waitDnstapFlowing(state: StackState): Promise<void> {
  const readDnstap = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${state.opsPorts.ingest}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('pdme_ingest_events_total{source="dnstap",outcome="read"'));
    return Number(line?.split(' ').at(-1) ?? 0);
  };
  const before = await readDnstap();
  await waitFor(
    'BIND to stream dnstap to ingest',
    async () => {
      await dnsQuery({
        server: state.bind.server,
        port: state.bind.port,
        name: `_probe.${state.bind.zone}`,
        type: 'A',
      });
      await sleep(250);
      return (await readDnstap()) > before;
    },
    30_000,
  );
}

/** Stops services first (they drain into Kafka), then the infrastructure; leaves no process behind. */
export async function stackDown(log: (message: string) => void, profile?: StackProfile): Promise<string[]> {
  const paths = profile?.paths ?? stackPaths();
  const topology = readStackState(paths)?.topology ?? defaultTopology();
  const stopped: string[] = [];
  // Every possible instance, not only those stack.json records: a test may have added some.
  await Promise.all(
    allInstances(MAX_INSTANCES, servicePortsOf(profile)).map(async (instance) => {
      if (await stopInstance(paths, instance)) stopped.push(instance.name);
    }),
  );
  const [kafka, bind, caches, redis] = await Promise.all([
    stopKafka(paths),
    stopBind(paths),
    stopCaches(paths, topology),
    stopOwnRedis(paths),
  ]);
  if (kafka) stopped.push('kafka');
  if (bind) stopped.push('bind');
  if (redis) stopped.push('redis');
  stopped.push(...caches);
  log(stopped.length > 0 ? `stack: stopped ${stopped.join(', ')}` : 'stack: nothing was running');
  return stopped;
}

/** The plain stack's topology, or the same clusters with the profile's cache port. */
export function profileTopology(profile: StackProfile | undefined): ClusterTopology[] {
  const topology = defaultTopology();
  if (profile === undefined) return topology;
  return topology.map((cluster) => ({
    ...cluster,
    servers: cluster.servers.map((server) => ({ ...server, port: profile.ports.cache })),
  }));
}

function servicePortsOf(profile: StackProfile | undefined): ServicePorts {
  return profile === undefined ? PLAIN_SERVICE_PORTS : profile.ports;
}

function secureState(
  material: SecureMaterial,
  profile: StackProfile | undefined,
  redisUrl: string,
): Pick<StackState, 'caFile' | 'serviceEnvOverrides'> {
  if (profile === undefined) throw new Error('stack: secure material without a profile');
  return {
    caFile: material.caFile,
    serviceEnvOverrides: {
      common: secureCommonEnv(material, profile.ports, redisUrl),
      perService: secureServiceEnv(material),
    },
  };
}

export { bindInfo, cacheInfo };
export { stackPaths } from './paths.js';
export { SECURE_PORTS, secureProfile, secureStackPaths, type StackProfile } from './profile.js';
export {
  MAX_INSTANCES,
  SERVICE_NAMES,
  serviceInstance,
  startInstance,
  stopInstance,
  waitInstanceReady,
  type ServiceInstance,
  type ServiceName,
} from './services.js';
