import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dnsQuery } from '@pdme/cli/dns';
import { loadConfigFile } from '@pdme/common/config';
import { REDIS_KEYS } from '@pdme/common/keys';
import { Redis } from 'ioredis';
import { requireStack } from '../support/localStack.js';

/**
 * Forecast poisoning on the running stack: one anonymized client group (one /24) floods a resource
 * nobody else asks for, and PDME must not mirror it; the same volume from many /24s is a real
 * crowd and is mirrored. 127.1.0.0/16 is cluster c1's client space (the default view and cluster
 * for stacks started before it was declared), each /24 of it one client group.
 */
const stack = requireStack();
const config = loadConfigFile(stack.configFile);
const cap = config.forecast.influenceCap;
const web = config.resourceTypes.find((t) => t.name === 'web');
const run = randomBytes(4).toString('hex');
const PER_WINDOW = 120;
const WINDOWS = 4;

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${stack.opsPorts.forecaster}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1) ?? 0), 0);
}

/** PER_WINDOW queries per forecast window for WINDOWS windows, from `source(i)`. */
async function crowd(resource: string, source: (i: number) => string): Promise<void> {
  const windowMs = config.forecast.windowMs;
  for (let w = 0; w < WINDOWS; w++) {
    const started = Date.now();
    for (let i = 0; i < PER_WINDOW; i++) {
      await dnsQuery({
        server: stack.bind.server,
        port: stack.bind.port,
        name: resource,
        type: 'A',
        source: source(w * PER_WINDOW + i),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowMs - (Date.now() - started))));
  }
}

async function mirrored(redis: Redis, resource: string): Promise<boolean> {
  return (await redis.hexists(REDIS_KEYS.mirrors('c1'), resource)) === 1;
}

describe('forecast poisoning: one client group cannot make PDME mirror', () => {
  it('runs with a cap that keeps one group below the web threshold', () => {
    expect(cap.enabled).toBe(true);
    expect(web).toBeDefined();
    // The premise of the defence: a lone group counts at most the floor per window.
    expect(cap.perGroupFloor).toBeLessThan(web?.threshold ?? 0);
    expect(PER_WINDOW).toBeGreaterThan(web?.threshold ?? Infinity);
    expect(PER_WINDOW).toBeGreaterThanOrEqual(cap.minFlagCount);
  });

  it('does not mirror a one-group flood, flags it, and mirrors the same volume from many groups', async () => {
    const redis = new Redis(stack.redisUrl);
    try {
      const flood = `web-flood-${run}.${stack.bind.zone}`;
      const spread = `web-crowd-${run}.${stack.bind.zone}`;
      const dominatedBefore = await metric('pdme_forecaster_dominated_windows_total');
      const cappedBefore = await metric('pdme_forecaster_influence_capped_events_total');

      await crowd(flood, (i) => `127.1.200.${10 + (i % 200)}`);
      await crowd(spread, (i) => `127.1.${i % 10}.${10 + (Math.floor(i / 10) % 200)}`);
      // Two more windows for the last forecasts to reach decision and the DNS.
      await new Promise((resolve) => setTimeout(resolve, 3 * config.forecast.windowMs));

      expect(await mirrored(redis, spread), 'many groups: a real crowd is mirrored').toBe(true);
      expect(await mirrored(redis, flood), 'one group: the flood is not mirrored').toBe(false);
      expect(await metric('pdme_forecaster_dominated_windows_total')).toBeGreaterThan(dominatedBefore);
      // Everything the flood sent beyond the floor was left out (per window, at least PER_WINDOW - floor).
      expect(
        (await metric('pdme_forecaster_influence_capped_events_total')) - cappedBefore,
      ).toBeGreaterThanOrEqual((WINDOWS - 1) * (PER_WINDOW - cap.perGroupFloor));
    } finally {
      redis.disconnect();
    }
  });
});
