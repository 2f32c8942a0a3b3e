/**
 * With the DNS server down, commands wait (the applier throws a retryable error, the consumer retries
 * with backoff) and are applied once it is back: none lost, none doubled. A private BIND stands in for
 * the zone (the stack's BIND is never stopped); the caches warmed are the stack's real nginx.
 */
import { toPdmeError } from '@pdme/common/errors';
import { backoffMs, sleep } from '@pdme/common/lifecycle';
import { MirrorOutcome, type MirrorCommand, type MirrorResult } from '@pdme/common/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandApplier } from '../src/commandApplier.js';
import { DnsUpdateClient, queryRecords } from '../src/rfc2136/index.js';
import { UpdateBatcher } from '../src/updateBatcher.js';
import { bindToolsMissing, startBind, type BindServer } from './bindServer.js';
import {
  capturingLogger,
  memoryLedger,
  mirrorCommand,
  server,
  stack,
  stackConfig,
  uniqueName,
} from './stackHarness.js';

const missing = bindToolsMissing();
const suite = missing.length === 0 ? describe : describe.skip;

suite('dns-updater while the DNS server is down (private BIND)', () => {
  let bind: BindServer;

  beforeAll(async () => {
    bind = await startBind({ zone: stack.bind.zone, keyName: 'pdme-outage' });
  });

  afterAll(async () => {
    await bind?.stop();
  });

  it('waits for the server and applies every command exactly once when it is back', async () => {
    const c1 = stackConfig.clusters.find((c) => c.id === 'c1');
    if (c1 === undefined) throw new Error('no cluster c1');
    const config = {
      ...stackConfig,
      clusters: [{ ...c1, dns: { ...c1.dns, port: bind.port, keyName: bind.key.name } }],
    };
    const ledger = memoryLedger();
    const client = new DnsUpdateClient({
      server: '127.0.0.1',
      port: bind.port,
      key: bind.key,
      timeoutMs: 500,
    });
    const applier = new CommandApplier({
      config,
      clients: new Map([['c1', new UpdateBatcher({ client, windowMs: 5 })]]),
      ledger,
      logger: capturingLogger().logger,
      now: Date.now,
    });
    const attempts = new Map<string, number>();
    // What TopicConsumer does with maxAttempts Infinity: retry retryable failures with backoff.
    const consume = async (command: MirrorCommand): Promise<MirrorResult | undefined> => {
      for (let attempt = 1; ; attempt++) {
        attempts.set(command.commandId, attempt);
        try {
          return await applier.apply(command);
        } catch (error) {
          if (!toPdmeError(error).retryable) throw error;
          await sleep(backoffMs(attempt, 50, 400));
        }
      }
    };

    await bind.halt();
    const commands = Array.from({ length: 6 }, () => mirrorCommand('c1', server('c1', 0), uniqueName()));
    const results = Promise.all(commands.map(consume));
    while (commands.some((c) => (attempts.get(c.commandId) ?? 0) < 3)) await sleep(50);
    await bind.resume();
    const applied = await results;

    expect(applied.map((r) => r?.outcome)).toEqual(commands.map(() => MirrorOutcome.MIRROR_OUTCOME_APPLIED));
    for (const command of commands) {
      expect(attempts.get(command.commandId)).toBeGreaterThanOrEqual(3);
      expect(ledger.recorded.get(command.commandId)).toBe(1);
      const target = { server: '127.0.0.1', port: bind.port };
      const cname = await queryRecords(target, command.resource, 'CNAME');
      const txt = await queryRecords(target, `_pdme.${command.resource}`, 'TXT');
      expect(cname.map((a) => (a.type === 'CNAME' ? a.data : ''))).toEqual([command.serverHost]);
      expect(txt).toHaveLength(1);
    }

    // Redelivered after the restart (offsets not committed yet): no second change.
    const replayed = await Promise.all(commands.map(consume));
    expect(replayed).toEqual(commands.map(() => undefined));
    expect([...ledger.recorded.values()]).toEqual(commands.map(() => 1));
  });
});
