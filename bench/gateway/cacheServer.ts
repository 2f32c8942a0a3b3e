/**
 * Child process of cacheAb.ts: a gateway HTTP app (auth off) reading the running stack's Redis, with or
 * without the snapshot cache. Prints its port on stdout once listening; exits on SIGTERM.
 * Run: pnpm exec tsx bench/gateway/cacheServer.ts cached|uncached
 */
import { readStackState } from '@pdme/cli/stack';
import { loadConfigFile } from '@pdme/common/config';
import { createLogger } from '@pdme/common/logging';
import { createRedis } from '@pdme/common/redis';
import { CachedStatsSource } from '../../services/gateway/src/cachedStatsSource.js';
import { createHttpApp } from '../../services/gateway/src/httpApp.js';
import { listenHttp } from '../../services/gateway/src/httpServer.js';
import { StatsReader } from '../../services/gateway/src/statsReader.js';
import { MemoryConfigSource, MemoryEventSink } from '../../services/gateway/test/memorySources.js';

const mode = process.argv[2];
if (mode !== 'cached' && mode !== 'uncached') throw new Error('usage: cacheServer.ts cached|uncached');
const state = readStackState();
if (state === undefined) throw new Error('needs the local stack: pnpm pdme stack up');
const config = loadConfigFile(state.configFile);
const logger = createLogger('gateway-bench', { level: 'warn' });
const redis = createRedis(state.redisUrl, logger);
await redis.connect();
const raw = new StatsReader(
  redis,
  config.clusters.map((c) => c.id),
);
const reader = mode === 'cached' ? new CachedStatsSource(raw) : raw;
const http = await listenHttp(
  createHttpApp({
    reader,
    configStore: new MemoryConfigSource(config),
    events: new MemoryEventSink(),
    auth: undefined,
    rateLimits: { readsPerMinute: 1e9, writesPerMinute: 1e9, authFailuresPerMinute: 1e9 },
    logger,
  }),
  '127.0.0.1',
  0,
);
process.stdout.write(`${http.port}\n`);
// A bench process: exiting closes the sockets; quitting Redis under load only races in-flight reads.
process.once('SIGTERM', () => process.exit(0));
