/**
 * CommandApplier (an instance of our own, not the running service) against the stack's real BIND 9
 * (views c1/c2, TSIG keys) and real nginx caches. Every test uses names of its own.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from '@pdme/common/redis';
import { MirrorAction, MirrorOutcome } from '@pdme/common/proto';
import { afterAll, describe, expect, it } from 'vitest';
import { redisLedger } from '../src/appliedLedger.js';
import { CommandApplier } from '../src/commandApplier.js';
import { releaseName } from '../src/mirrorRecords.js';
import { redisOwnedNames } from '../src/ownedNames.js';
import { DnsUpdateClient, parseTsigKeyFile, type UpdateRequest } from '../src/rfc2136/index.js';
import type { UpdateSender } from '../src/updateBatcher.js';
import { UpdateBatcher } from '../src/updateBatcher.js';
import {
  cacheStatus,
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
const config = { ...stackConfig, dnsUpdater: { ...stackConfig.dnsUpdater, ownerId: OWNER } };
const created: { cluster: string; name: string }[] = [];

function stackClient(clusterId: string, key = stackKey(clusterId)): DnsUpdateClient {
  return new DnsUpdateClient({ server: stack.bind.server, port: stack.bind.port, key, timeoutMs: 3000 });
}

/** Counts and optionally intercepts every UPDATE the applier sends. */
class Recording implements UpdateSender {
  readonly sent: UpdateRequest[] = [];
  constructor(
    private readonly inner: UpdateSender,
    private readonly before?: (update: UpdateRequest) => Promise<void>,
  ) {}
  async send(update: UpdateRequest): Promise<unknown> {
    this.sent.push(update);
    await this.before?.(update);
    return this.inner.send(update);
  }
}

function applierFor(
  clients: Map<string, UpdateSender>,
  overrides: Partial<ConstructorParameters<typeof CommandApplier>[0]> = {},
) {
  return new CommandApplier({
    config,
    clients,
    ledger: memoryLedger(),
    logger: capturingLogger().logger,
    now: Date.now,
    ...overrides,
  });
}

afterAll(async () => {
  // Leave the stack's zones as we found them.
  for (const { cluster: id, name } of created) {
    await stackClient(id)
      .send(releaseName(stack.bind.zone, name, OWNER))
      .catch(() => undefined);
  }
});

describe('CommandApplier against the stack', () => {
  it('makes the CNAME visible only after the cache answers HIT for the content', async () => {
    const resource = uniqueName();
    const cache = server('c1', 0);
    created.push({ cluster: 'c1', name: resource });
    const events: string[] = [];
    // At the moment the first UPDATE leaves, the cache must already hold the content and clients
    // must still get no CNAME.
    const sender = new Recording(stackClient('c1'), async () => {
      if (events.length > 0) return;
      events.push(`cache ${await cacheStatus(cache, resource)}`);
      events.push(`dig before update: ${dig('c1', resource).join(',') || 'none'}`);
    });
    expect(dig('c1', resource)).toEqual([]);
    const result = await applierFor(new Map([['c1', sender]])).apply(mirrorCommand('c1', cache, resource));
    events.push(`dig after apply: ${dig('c1', resource).join(',')}`);

    expect(result?.outcome).toBe(MirrorOutcome.MIRROR_OUTCOME_APPLIED);
    expect(events).toEqual(['cache HIT', 'dig before update: none', `dig after apply: ${cache.host}`]);
    expect(await cacheStatus(cache, resource, '/manifest.m3u8')).toBe('HIT');
    expect(dig('c1', `_pdme.${resource}`, 'TXT')).toEqual([`"heritage=pdme,owner=${OWNER}"`]);
  });

  it('gives each cluster its own CNAME through its own view', async () => {
    const resource = uniqueName();
    created.push({ cluster: 'c1', name: resource }, { cluster: 'c2', name: resource });
    const applier = applierFor(
      new Map<string, UpdateSender>([
        ['c1', stackClient('c1')],
        ['c2', stackClient('c2')],
      ]),
    );
    const [r1, r2] = await Promise.all([
      applier.apply(mirrorCommand('c1', server('c1', 1), resource)),
      applier.apply(mirrorCommand('c2', server('c2', 0), resource)),
    ]);
    expect([r1?.outcome, r2?.outcome]).toEqual([
      MirrorOutcome.MIRROR_OUTCOME_APPLIED,
      MirrorOutcome.MIRROR_OUTCOME_APPLIED,
    ]);
    expect(dig('c1', resource)).toEqual([server('c1', 1).host]);
    expect(dig('c2', resource)).toEqual([server('c2', 0).host]);
  });

  it('repoints a name it owns, and unmirroring restores the origin answer', async () => {
    const resource = uniqueName();
    created.push({ cluster: 'c1', name: resource });
    const redis = new Redis(stack.redisUrl, { db: 15, lazyConnect: true });
    await redis.connect();
    try {
      const owned = redisOwnedNames(redis, `pdme-it:${OWNER}:owned:`);
      const applier = applierFor(new Map([['c1', stackClient('c1')]]), { owned });
      await applier.apply(mirrorCommand('c1', server('c1', 0), resource));
      const moved = await applier.apply(mirrorCommand('c1', server('c1', 1), resource));
      expect(moved?.outcome).toBe(MirrorOutcome.MIRROR_OUTCOME_APPLIED);
      expect(dig('c1', resource)).toEqual([server('c1', 1).host]);
      expect(await owned.list('c1')).toEqual([resource]);

      const gone = await applier.apply(
        mirrorCommand('c1', server('c1', 1), resource, { action: MirrorAction.MIRROR_ACTION_UNMIRROR }),
      );
      expect(gone?.outcome).toBe(MirrorOutcome.MIRROR_OUTCOME_APPLIED);
      expect(dig('c1', resource)).toEqual([]);
      expect(dig('c1', `_pdme.${resource}`, 'TXT')).toEqual([]);
      expect(await owned.list('c1')).toEqual([]);
    } finally {
      await redis.del(`pdme-it:${OWNER}:owned:c1`);
      redis.disconnect();
    }
  });

  it('refuses to apply with a wrong TSIG key and reports it', async () => {
    const resource = uniqueName();
    const real = stackKey('c1');
    const forged = parseTsigKeyFile(
      `key "${real.name}" { algorithm hmac-sha256; secret "${randomBytes(32).toString('base64')}"; };`,
    );
    const result = await applierFor(new Map([['c1', stackClient('c1', forged)]])).apply(
      mirrorCommand('c1', server('c1', 0), resource),
    );
    expect(result?.outcome).toBe(MirrorOutcome.MIRROR_OUTCOME_FAILED);
    expect(result?.reason).toMatch(/BADSIG|NOTAUTH/);
    expect(dig('c1', resource)).toEqual([]);
  });

  it('never touches a record without the ownership TXT, and reports it', async () => {
    const resource = uniqueName();
    nsupdate('c1', [`update add ${resource} 300 CNAME elsewhere.example.`]);
    try {
      const sender = new Recording(stackClient('c1'));
      const applier = applierFor(new Map([['c1', sender]]));
      const mirror = await applier.apply(mirrorCommand('c1', server('c1', 0), resource));
      expect(mirror?.outcome).toBe(MirrorOutcome.MIRROR_OUTCOME_FAILED);
      expect(mirror?.reason).toMatch(/foreign record .* left untouched/);
      const unmirror = await applier.apply(
        mirrorCommand('c1', server('c1', 0), resource, { action: MirrorAction.MIRROR_ACTION_UNMIRROR }),
      );
      expect(unmirror?.reason).toBe('nothing of ours to remove');
      expect(dig('c1', resource)).toEqual(['elsewhere.example']);
      // Every message it sent was guarded by a prerequisite, so none could have changed the name.
      expect(sender.sent.length).toBeGreaterThan(0);
      expect(sender.sent.every((u) => (u.prerequisites ?? []).length > 0)).toBe(true);
    } finally {
      nsupdate('c1', [`update delete ${resource} CNAME`]);
    }
  });

  it('applies a replayed command once (Redis ledger), through the batcher', async () => {
    const resource = uniqueName();
    created.push({ cluster: 'c1', name: resource });
    const redis = new Redis(stack.redisUrl, { db: 15, lazyConnect: true });
    await redis.connect();
    try {
      const sender = new Recording(new UpdateBatcher({ client: stackClient('c1') }));
      const applier = applierFor(new Map([['c1', sender]]), { ledger: redisLedger(redis, 600) });
      const command = mirrorCommand('c1', server('c1', 0), resource);
      const first = await applier.apply(command);
      const sentOnce = sender.sent.length;
      const replay = await applier.apply(command);
      expect(first?.outcome).toBe(MirrorOutcome.MIRROR_OUTCOME_APPLIED);
      expect(replay).toBeUndefined();
      expect(sender.sent.length).toBe(sentOnce);
      expect(dig('c1', resource)).toEqual([server('c1', 0).host]);
    } finally {
      redis.disconnect();
    }
  });

  it('in dry-run mode logs the exact changes and changes nothing', async () => {
    const resource = uniqueName();
    const capture = capturingLogger();
    const sender = new Recording(stackClient('c1'));
    const applier = new CommandApplier({
      config: { ...config, dnsUpdater: { ...config.dnsUpdater, dryRun: true } },
      clients: new Map([['c1', sender]]),
      ledger: memoryLedger(),
      logger: capture.logger,
      now: Date.now,
    });
    const result = await applier.apply(mirrorCommand('c1', server('c1', 0), resource));
    expect(result?.outcome).toBe(MirrorOutcome.MIRROR_OUTCOME_SKIPPED);
    expect(sender.sent).toEqual([]);
    expect(dig('c1', resource)).toEqual([]);
    const dry = capture.lines().find((l) => l.includes('dns-updater.dry_run')) ?? '';
    expect(dry).toContain(`update add ${resource} 30 CNAME ${server('c1', 0).host}`);
    expect(dry).toContain(`prereq nxdomain _pdme.${resource}`);
    expect(cluster('c1').dns.zone).toBe(stack.bind.zone);
  });
});
