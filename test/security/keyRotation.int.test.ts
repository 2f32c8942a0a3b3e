import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateEnvelopeKey, addEnvelopeKey, describeEnvelopeKeyring } from '@pdme/cli/envelope-keyring';
import { dnsQuery } from '@pdme/cli/dns';
import { ApiKeyStore } from '@pdme/common/auth';
import { KEYRING_RELOAD_MS, sealedKeyId } from '@pdme/common/crypto';
import { decodeMessage } from '@pdme/common/messages';
import { TOPICS, dlqTopic } from '@pdme/common/topics';
import { requireStack } from '../support/localStack.js';
import { stackKeyringFile, stackOpener } from '../support/sealedTopics.js';
import { highWater, readRange, type Offsets } from './kafkaRange.js';

/**
 * Rotation while the pipeline runs (docs/security.md, "Rotating keys"), accounted by counts: the
 * envelope key (add, wait for every service to reload, activate) and an API key (create the new
 * one, switch callers, revoke the old). Run it under `flock -x /tmp/pdme-stack.lock`: it changes
 * the shared stack's keyring (the old key stays, so everything sealed before still opens).
 */
const stack = requireStack();
const kafka = new Kafka({
  clientId: 'security-rotation',
  brokers: [stack.kafka.bootstrap],
  logLevel: logLevel.NOTHING,
});
const resource = `video-rotate-${randomBytes(4).toString('hex')}.${stack.bind.zone}`;
const keyringFile = stackKeyringFile();
let redis: Redis;
let from: Offsets;
let dlqFrom: Offsets;
let sent = 0;
let sending = true;
let refused = 0;
let answered = 0;

/** A steady crowd from several client groups, until told to stop. */
async function keepSending(): Promise<void> {
  while (sending) {
    await dnsQuery({
      server: stack.bind.server,
      port: stack.bind.port,
      name: resource,
      type: 'A',
      source: `127.1.${sent % 5}.${30 + (sent % 200)}`,
    });
    sent++;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stats(key: string): Promise<number> {
  const response = await fetch(`${stack.gateway.http}/pdme/stats?cluster=c1&resource=${resource}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return response.status;
}

describe('rotating keys while the pipeline runs', () => {
  beforeAll(async () => {
    redis = new Redis(stack.redisUrl);
    from = await highWater(kafka, TOPICS.dnsQueries);
    dlqFrom = await highWater(kafka, dlqTopic(TOPICS.dnsQueries));
  });

  afterAll(() => {
    redis.disconnect();
  });

  it('loses and refuses nothing', async () => {
    const keys = new ApiKeyStore(redis);
    const oldKey = await keys.create('pdme:read', `rotation-old-${resource}`);
    let current = oldKey.key;
    const polling = (async () => {
      while (sending) {
        const status = await stats(current);
        if (status === 200) answered++;
        else refused++;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const crowd = keepSending();
    const oldId = describeEnvelopeKeyring(keyringFile).active;

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // Envelope key: readers learn the new key first, writers switch after every reload.
    const newId = addEnvelopeKey(keyringFile);
    await new Promise((resolve) => setTimeout(resolve, 2 * KEYRING_RELOAD_MS + 500));
    activateEnvelopeKey(keyringFile, newId);
    // API key: the new key is valid before callers switch; the old one is revoked after.
    const newKey = await keys.create('pdme:read', `rotation-new-${resource}`);
    current = newKey.key;
    await keys.revoke(oldKey.info.id);
    await new Promise((resolve) => setTimeout(resolve, 2 * KEYRING_RELOAD_MS + 2_000));
    sending = false;
    await Promise.all([crowd, polling]);
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // ingest acknowledges the last batch

    expect(await stats(oldKey.key), 'the revoked key').toBe(401);
    expect(refused, 'API calls refused during the rotation').toBe(0);
    expect(answered).toBeGreaterThan(10);

    const open = stackOpener();
    const messages = await readRange(
      kafka,
      TOPICS.dnsQueries,
      from,
      await highWater(kafka, TOPICS.dnsQueries),
    );
    const mine = messages.filter(
      (m) => decodeMessage(TOPICS.dnsQueries, open(TOPICS.dnsQueries, m)).resource === resource,
    );
    // Every query of the crowd is one event, sealed under the old key before and the new key after.
    expect(mine).toHaveLength(sent);
    const keyIds = new Set(mine.map((m) => sealedKeyId(m.value ?? Buffer.alloc(0))));
    expect(keyIds).toEqual(new Set([oldId, newId]));
    // The forecaster read every one of them: nothing dead-lettered for an unknown key.
    const letters = await readRange(
      kafka,
      dlqTopic(TOPICS.dnsQueries),
      dlqFrom,
      await highWater(kafka, dlqTopic(TOPICS.dnsQueries)),
    );
    const envelopeFailures = letters.filter((m) =>
      String(m.headers?.['pdme-reason'] ?? '').startsWith('envelope'),
    );
    expect(envelopeFailures).toHaveLength(0);
    await keys.revoke(newKey.info.id);
  });
});
