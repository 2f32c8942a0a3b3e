/**
 * The reconciliation loop against the stack's BIND (view c1) and nginx caches: drift is repaired,
 * stale PDME names are removed, a mirror whose cache fails its health check is rolled back (and
 * reported FAILED), and a foreign record is left alone.
 */
import { randomBytes } from 'node:crypto';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import { MirrorOutcome, type MirrorResult } from '@pdme/common/proto';
import { Redis } from '@pdme/common/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandApplier } from '../src/commandApplier.js';
import { httpHealthCheck } from '../src/healthCheck.js';
import { claimNameWithCname, releaseName } from '../src/mirrorRecords.js';
import { redisOwnedNames, type OwnedNames } from '../src/ownedNames.js';
import { Reconciler } from '../src/reconciler.js';
import { DnsUpdateClient } from '../src/rfc2136/index.js';
import {
  capturingLogger,
  cluster,
  dig,
  memoryLedger,
  mirrorCommand,
  nsupdate,
  server,
  stack,
  stackConfig,
  stackKey,
  uniqueName,
} from './stackHarness.js';

const OWNER = `pdme-it-${randomBytes(3).toString('hex')}`;
const OWNED_PREFIX = `pdme-it:${OWNER}:owned:`;
const c1 = cluster('c1');
// A cache server nothing answers for: its health check fails.
const dead = {
  ...server('c1', 0),
  id: 'cache-c1-dead',
  host: `cache-c1-dead.${stack.bind.zone}`,
  address: '127.0.1.199',
};
const config = {
  ...stackConfig,
  clusters: [{ ...c1, servers: [...c1.servers, dead] }],
  dnsUpdater: { ...stackConfig.dnsUpdater, ownerId: OWNER },
};
const client = new DnsUpdateClient({
  server: stack.bind.server,
  port: stack.bind.port,
  key: stackKey('c1'),
  timeoutMs: 3000,
});
const clients = new Map([['c1', client]]);

function record(resource: string, serverId: string, serverHost: string): MirrorRecord {
  return {
    resource,
    cluster: 'c1',
    serverId,
    serverHost,
    state: 'applied',
    commandId: `it-${randomBytes(6).toString('hex')}`,
    sinceMs: Date.now(),
    reservedBytes: 1,
    predictedDemand: 1,
    resourceType: 'web',
    lowWindows: 0,
  };
}

describe('Reconciler against the stack', () => {
  let redis: Redis;
  let owned: OwnedNames;
  const names: string[] = [];

  beforeAll(async () => {
    redis = new Redis(stack.redisUrl, { db: 15, lazyConnect: true });
    await redis.connect();
    owned = redisOwnedNames(redis, OWNED_PREFIX);
  });

  afterAll(async () => {
    for (const name of names)
      await client.send(releaseName(stack.bind.zone, name, OWNER)).catch(() => undefined);
    await redis.del(`${OWNED_PREFIX}c1`);
    redis.disconnect();
  });

  it('repairs drift, removes stale names, rolls back unhealthy mirrors and leaves foreign records alone', async () => {
    const [drifted, stale, unhealthy, foreign] = [uniqueName(), uniqueName(), uniqueName(), uniqueName()];
    names.push(drifted, stale, unhealthy, foreign);
    const cache = server('c1', 0);
    const applier = new CommandApplier({
      config,
      clients,
      ledger: memoryLedger(),
      owned,
      logger: capturingLogger().logger,
      now: Date.now,
    });
    for (const name of [drifted, stale]) {
      const result = await applier.apply(mirrorCommand('c1', cache, name));
      expect(result?.outcome).toBe(MirrorOutcome.MIRROR_OUTCOME_APPLIED);
    }
    // The mirror on the dead server was applied while it was still up.
    await client.send(
      claimNameWithCname({
        zone: stack.bind.zone,
        resource: unhealthy,
        target: dead.host,
        ttlSeconds: 30,
        ownerId: OWNER,
      }),
    );
    await owned.add('c1', unhealthy);
    nsupdate('c1', [`update delete ${drifted} CNAME`, `update add ${foreign} 300 CNAME elsewhere.example.`]);

    const desired = [
      record(drifted, cache.id, cache.host),
      record(unhealthy, dead.id, dead.host),
      record(foreign, cache.id, cache.host),
    ];
    const published: MirrorResult[] = [];
    const reconciler = new Reconciler({
      config,
      clients,
      desired: (id) => Promise.resolve(id === 'c1' ? desired : []),
      owned,
      healthCheck: httpHealthCheck(1000),
      publishResult: (result) => {
        published.push(result);
        return Promise.resolve();
      },
      logger: capturingLogger().logger,
      now: Date.now,
      unhealthyAfter: 1,
    });

    expect(dig('c1', drifted)).toEqual([]);
    const report = await reconciler.runOnce();
    expect(report.repaired).toEqual([drifted]);
    expect(report.removed).toEqual([stale]);
    expect(report.rolledBack).toEqual([unhealthy]);
    expect(report.foreign).toEqual([foreign]);
    expect(dig('c1', drifted)).toEqual([cache.host]);
    expect(dig('c1', stale)).toEqual([]);
    expect(dig('c1', unhealthy)).toEqual([]);
    expect(dig('c1', foreign)).toEqual(['elsewhere.example']);
    expect(published.map((r) => [r.resource, r.outcome, r.commandId])).toEqual([
      [unhealthy, MirrorOutcome.MIRROR_OUTCOME_FAILED, desired[1]?.commandId],
    ]);
    expect((await owned.list('c1')).sort()).toEqual([drifted]);

    // Decision has dropped the rolled-back mirror; the next pass finds everything in sync.
    desired.splice(1, 1);
    const again = await reconciler.runOnce();
    expect(again.inSync).toEqual([drifted]);
    expect([again.repaired, again.removed, again.rolledBack]).toEqual([[], [], []]);
    nsupdate('c1', [`update delete ${foreign} CNAME`]);
  });
});
