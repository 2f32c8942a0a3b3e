import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseConfig } from '@pdme/common/config';
import { cacheInfo, startCaches, stopCaches, type CacheInfo } from './caches.js';
import {
  bindInfo,
  defaultTopology,
  startBind,
  stopBind,
  type BindInfo,
  type ClusterTopology,
} from './dns.js';
import { startKafka, stopKafka, type KafkaInfo } from './kafka.js';
import { stackPaths, type StackPaths } from './paths.js';
import { runningPid } from './processes.js';
import { ensureRedis, stopOwnRedis } from './redis.js';
import {
  GATEWAY_GRPC_PORT,
  GATEWAY_HTTP_PORT,
  OPS_PORTS,
  SERVICE_NAMES,
  startService,
  stopService,
  waitServiceReady,
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
}

export interface StackUpOptions {
  /** Keep Kafka data, zones and Redis state from an earlier run instead of starting clean. */
  readonly keepData?: boolean;
  /** Start the PDME services too (default); false starts only Kafka, Redis, BIND and nginx. */
  readonly services?: boolean;
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
  const names = [...INFRA, ...topology.flatMap((c) => c.servers.map((s) => s.id)), ...SERVICE_NAMES];
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
  };
  writeFileSync(stateFile(paths), `${JSON.stringify(state, null, 2)}\n`);
  if (options.services !== false) {
    const env = serviceEnv(state, paths);
    for (const service of SERVICE_NAMES) await startService(paths, service, env, log);
    await Promise.all(SERVICE_NAMES.map((service) => waitServiceReady(service)));
    log('stack: every service is ready');
  }
  return state;
}

/** Stops services first (they drain into Kafka), then the infrastructure; leaves no process behind. */
export async function stackDown(log: (message: string) => void): Promise<string[]> {
  const paths = stackPaths();
  const topology = readStackState(paths)?.topology ?? defaultTopology();
  const stopped: string[] = [];
  await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      if (await stopService(paths, service)) stopped.push(service);
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
