import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ensureBootstrapKeys } from '@pdme/common/auth';
import { parseConfig } from '@pdme/common/config';
import { cacheInfo, startCaches, stopCaches, type CacheInfo } from './caches.js';
import {
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
import { ensureRedis, stopOwnRedis } from './redis.js';
import {
  GATEWAY_GRPC_PORT,
  GATEWAY_HTTP_PORT,
  MAX_INSTANCES,
  OPS_PORTS,
  allInstances,
  startInstance,
  stopInstance,
  waitInstanceReady,
  type ServiceName,
} from './services.js';
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
}

export interface StackUpOptions {
  /** Keep Kafka data, zones and Redis state from an earlier run instead of starting clean. */
  readonly keepData?: boolean;
  /** Start the PDME services too (default); false starts only Kafka, Redis, BIND and nginx. */
  readonly services?: boolean;
  /** Instances of each service, side by side (default 1); see serviceInstance for their ports. */
  readonly instances?: number;
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
export function serviceEnv(state: StackState, paths: StackPaths): NodeJS.ProcessEnv {
  return {
    PDME_CONFIG_FILE: state.configFile,
    KAFKA_BROKERS: state.kafka.bootstrap,
    REDIS_URL: state.redisUrl,
    LOG_LEVEL: 'info',
    DNSTAP_SOCKET: state.bind.dnstapSocket,
    // The caches' JSON access logs (each line names its server), followed into pdme.access-logs.v1.
    ACCESS_LOG_FILES: state.caches.servers.map((server) => server.accessLog).join(','),
    PDME_ANON_SECRET_FILE: join(paths.root, 'secrets', 'anonymization.key'),
    GATEWAY_PORT: String(GATEWAY_HTTP_PORT),
    GATEWAY_GRPC_PORT: String(GATEWAY_GRPC_PORT),
  };
}

async function clearPdmeKeys(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
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
async function writeBootstrapKeys(redisUrl: string, secretsDir: string): Promise<string[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    return await ensureBootstrapKeys(redis, secretsDir);
  } finally {
    redis.disconnect();
  }
}

/** Starts Kafka, Redis, BIND, the caches and (by default) every PDME service; idempotent. */
export async function stackUp(options: StackUpOptions): Promise<StackState> {
  const paths = stackPaths();
  const topology = defaultTopology();
  const { log } = options;
  const fresh = runningProcesses(paths, topology).length === 0 && options.keepData !== true;
  if (fresh && existsSync(paths.root)) {
    log(`stack: starting clean (removing ${paths.root})`);
    rmSync(paths.root, { recursive: true, force: true });
  }
  mkdirSync(join(paths.root, 'secrets'), { recursive: true, mode: 0o700 });
  const anonKey = join(paths.root, 'secrets', 'anonymization.key');
  if (!existsSync(anonKey)) writeFileSync(anonKey, randomBytes(32).toString('base64'), { mode: 0o600 });

  const redisUrl = await ensureRedis(paths, log);
  if (fresh) log(`redis: removed ${await clearPdmeKeys(redisUrl)} pdme:* keys left by an earlier run`);
  const keyFiles = await writeBootstrapKeys(redisUrl, join(paths.root, 'secrets'));
  if (keyFiles.length > 0) log(`auth: new API keys (read, admin) in ${keyFiles.join(', ')} (mode 0600)`);
  const [kafka, bind, caches] = await Promise.all([
    startKafka(paths, log),
    startBind(paths, topology, log),
    startCaches(paths, topology, log),
  ]);
  const configFile = join(paths.root, 'pdme.config.json');
  const config = localStackConfig(topology, bind);
  parseConfig(config, 'local stack config'); // never hand the services a config that does not validate
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const state: StackState = {
    startedMs: Date.now(),
    kafka,
    redisUrl,
    bind,
    caches,
    configFile,
    gateway: { http: `http://127.0.0.1:${GATEWAY_HTTP_PORT}`, grpc: `127.0.0.1:${GATEWAY_GRPC_PORT}` },
    opsPorts: OPS_PORTS,
    topology,
    instances: options.instances ?? 1,
  };
  writeFileSync(stateFile(paths), `${JSON.stringify(state, null, 2)}\n`);
  if (options.services !== false) {
    const env = serviceEnv(state, paths);
    const instances = allInstances(state.instances ?? 1);
    for (const instance of instances) await startInstance(paths, instance, env, log);
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
    const text = await (await fetch(`http://127.0.0.1:${OPS_PORTS.ingest}/metrics`)).text();
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
export async function stackDown(log: (message: string) => void): Promise<string[]> {
  const paths = stackPaths();
  const topology = readStackState(paths)?.topology ?? defaultTopology();
  const stopped: string[] = [];
  // Every possible instance, not only those stack.json records: a test may have added some.
  await Promise.all(
    allInstances(MAX_INSTANCES).map(async (instance) => {
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

export { bindInfo, cacheInfo };
export { stackPaths } from './paths.js';
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
