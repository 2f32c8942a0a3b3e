import { API_KEYS_HASH, ApiKeyStore } from '@pdme/common/auth';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireStack } from '../support/localStack.js';

const stack = requireStack();
const decisionMetrics = `http://127.0.0.1:${stack.opsPorts.decision}/metrics`;

/** The config version the running decision service has applied, from its /metrics. */
async function decisionConfigVersion(): Promise<number | undefined> {
  const text = await (await fetch(decisionMetrics)).text();
  const match = /^pdme_config_version\{[^}]*\} (\d+)$/m.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('live config: a change through the gateway reaches the running decision service', () => {
  let redis: Redis;
  let adminKey = '';
  let adminId = '';

  const getConfig = async () => {
    const res = await fetch(`${stack.gateway.http}/pdme/config`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(res.status).toBe(200);
    return {
      etag: res.headers.get('etag') ?? '',
      config: (await res.json()) as { dnsUpdater: { warmTimeoutMs: number } },
    };
  };
  const patch = async (etag: string, body: unknown) => {
    const res = await fetch(`${stack.gateway.http}/pdme/config`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${adminKey}`,
        'content-type': 'application/merge-patch+json',
        'if-match': etag,
      },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return Number(res.headers.get('pdme-config-version'));
  };

  beforeAll(async () => {
    redis = new Redis(stack.redisUrl);
    // A key of our own, removed afterwards, so this test needs nothing from `stack up`.
    const created = await new ApiKeyStore(redis).create('pdme:admin', 'e2e-config-propagation');
    adminKey = created.key;
    adminId = created.info.id;
  });

  afterAll(async () => {
    await redis.hdel(API_KEYS_HASH, adminId);
    await redis.quit();
  });

  it('applies a PATCH in the decision service without a restart, then the restore', async () => {
    const before = await getConfig();
    const original = before.config.dnsUpdater.warmTimeoutMs;
    // A setting the decision service does not act on, so other tests see no change in behaviour.
    const startedMs = Date.now();
    const changed = await patch(before.etag, { dnsUpdater: { warmTimeoutMs: original + 1 } });
    const observed = await until(
      `decision at config version ${changed}`,
      async () => {
        const version = await decisionConfigVersion();
        return version !== undefined && version >= changed ? version : undefined;
      },
      10_000,
    );
    const propagationMs = Date.now() - startedMs;
    expect(observed).toBe(changed);
    process.stdout.write(
      `config v${changed} applied by decision ${propagationMs} ms after the PATCH was sent\n`,
    );

    const restored = await patch((await getConfig()).etag, { dnsUpdater: { warmTimeoutMs: original } });
    expect(restored).toBe(changed + 1);
    expect(
      await until(
        `decision at config version ${restored}`,
        async () => ((await decisionConfigVersion()) === restored ? restored : undefined),
        10_000,
      ),
    ).toBe(restored);
    expect((await getConfig()).config.dnsUpdater.warmTimeoutMs).toBe(original);
  });
});
