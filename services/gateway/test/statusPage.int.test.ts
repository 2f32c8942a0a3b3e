import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ApiKeyStore, Authenticator } from '@pdme/common/auth';
import { REDIS_KEYS } from '@pdme/common/keys';
import type { CachedForecast, MirrorRecord } from '@pdme/common/mirror-state';
import { createRedis, type Redis } from '@pdme/common/redis';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../src/httpApp.js';
import { listenHttp, type RunningHttpServer } from '../src/httpServer.js';
import { StatsReader } from '../src/statsReader.js';
import { capturingLogger, sampleConfig, sampleConfigDocument } from './fixtures.js';
import { MemoryConfigSource, MemoryEventSink } from './memorySources.js';

/** Gateway tests own Redis database 14 and flush only that one. */
const REDIS_URL = 'redis://127.0.0.1:6379/14';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Where the screenshot goes, for a person to look at. */
const SCREENSHOT = join(tmpdir(), 'pdme-status-page', 'status.png');
const WINDOW_MS = 10_000;
const RESOURCE = `x-${randomBytes(4).toString('hex')}.video.example.com`;

function mirror(): MirrorRecord {
  return {
    resource: RESOURCE,
    cluster: 'eu',
    serverId: 'eu-a',
    serverHost: 'eu-a.cache.example.net',
    state: 'applied',
    commandId: `cmd-${RESOURCE}`,
    sinceMs: Date.now() - 60_000,
    reservedBytes: 50_000,
    predictedDemand: 180,
    resourceType: 'video',
    lowWindows: 0,
  };
}

/** The forecast issued when window `windowStart` closed with `observed` queries. */
function forecast(windowStart: number, observed: number, nextMean: number): CachedForecast {
  return {
    resource: RESOURCE,
    cluster: 'eu',
    issuedMs: windowStart + WINDOW_MS,
    windowMs: WINDOW_MS,
    model: 'holt',
    observed,
    flashCrowd: false,
    steps: [{ tsMs: windowStart + WINDOW_MS, mean: nextMean, p50: nextMean, p90: nextMean * 1.3 }],
  };
}

async function seed(redis: Redis, firstWindow: number): Promise<void> {
  await redis.flushdb();
  const multi = redis.multi();
  for (const cluster of sampleConfigDocument().clusters) {
    for (const server of cluster.servers) {
      multi.hset(REDIS_KEYS.servers(cluster.id), server.id, JSON.stringify(server));
    }
  }
  multi.hset(REDIS_KEYS.capacity('eu'), { 'eu-a': '50000' });
  multi.hset(REDIS_KEYS.mirrors('eu'), RESOURCE, JSON.stringify(mirror()));
  multi.hset(REDIS_KEYS.counters, {
    mirrorsCreated: '1',
    mirrorsRemoved: '0',
    mirrorsFailed: '0',
    lateMirrors: '0',
  });
  multi.set(REDIS_KEYS.forecast('eu', RESOURCE), JSON.stringify(forecast(firstWindow, 120, 150)), 'EX', 600);
  await multi.exec();
}

// Code run inside the page is given as text: the workspace's TypeScript has no DOM types.
/** Collects CSP violations (reported as events in the page) on window.cspViolations. */
const COLLECT_CSP_VIOLATIONS = `
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
  });`;

/** Pixels of the chart canvas in the first series' stroke colour (#0969da), give or take antialiasing. */
const COUNT_FIRST_SERIES_PIXELS = `(() => {
  const canvas = document.querySelector('#chart canvas');
  if (!(canvas instanceof HTMLCanvasElement)) return -1;
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - 9) < 30 && Math.abs(data[i + 1] - 105) < 30 && Math.abs(data[i + 2] - 218) < 30) count++;
  }
  return count;
})()`;

/** Chart points the page reports (observed and forecast values it holds). */
async function chartPoints(page: Page): Promise<number> {
  return Number(await page.locator('#chart').getAttribute('data-points'));
}

const chromiumMissing = !existsSync(CHROMIUM);

describe.skipIf(chromiumMissing)(
  `status page in headless Chromium${chromiumMissing ? ` (skipped: ${CHROMIUM} is not installed; apt-get install -y chromium)` : ''}`,
  () => {
    const { logger } = capturingLogger();
    const firstWindow = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS - 3 * WINDOW_MS;
    let redis: Redis;
    let http: RunningHttpServer;
    let base: string;
    let readKey: string;
    let userDataDir: string;
    let browser: BrowserContext;

    beforeAll(async () => {
      redis = createRedis(REDIS_URL, logger);
      await redis.connect();
      await seed(redis, firstWindow);
      const keys = new ApiKeyStore(redis);
      readKey = (await keys.create('pdme:read', 'status-page-test')).key;
      const config = sampleConfig();
      http = await listenHttp(
        createHttpApp({
          reader: new StatsReader(
            redis,
            config.clusters.map((c) => c.id),
          ),
          configStore: new MemoryConfigSource(config),
          events: new MemoryEventSink(),
          auth: new Authenticator({ keys }),
          logger,
        }),
        '127.0.0.1',
        0,
      );
      base = `http://127.0.0.1:${http.port}`;
      userDataDir = mkdtempSync(join(tmpdir(), 'pdme-chromium-'));
      browser = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1100, height: 900 },
      });
    });

    afterAll(async () => {
      await browser?.close();
      if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
      await http?.close();
      await redis?.flushdb();
      await redis?.quit();
    });

    /** A fresh tab that records console errors, page errors and failed requests in `problems`. */
    async function openPage(problems: string[] = []): Promise<Page> {
      const page = await browser.newPage();
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
      });
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      // CSP violations are reported as events in the page; collect them on the window.
      await page.addInitScript({ content: COLLECT_CSP_VIOLATIONS });
      return page;
    }

    it('asks for the key, then shows the seeded mirror and draws the chart, refreshing live', async () => {
      const problems: string[] = [];
      const page = await openPage(problems);
      const response = await page.goto(`${base}/`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");

      await page.locator('#login').waitFor({ state: 'visible' });
      expect(await page.locator('#dashboard').isHidden()).toBe(true);
      await page.fill('#api-key', readKey);
      await page.click('#login button[type=submit]');

      // The mirror map: cluster eu → server eu-a → the seeded resource.
      const row = page.locator(`[data-cluster="eu"] [data-server="eu-a"] [data-resource="${RESOURCE}"]`);
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await row.textContent()).toContain('applied');
      expect(await page.locator('[data-cluster="us"] [data-server="us-a"]').count()).toBe(1);
      expect(await page.evaluate<string | null>("sessionStorage.getItem('pdme.readKey')")).toBe(readKey);

      // The chart: one observed and one forecast point so far, drawn in the first series' colour.
      await page.locator('#chart canvas').waitFor({ state: 'visible' });
      expect(await chartPoints(page)).toBe(2);
      const blue = await page.evaluate<number>(COUNT_FIRST_SERIES_PIXELS);
      expect(blue).toBeGreaterThan(20);

      // Two more windows close: the page picks them up on its own (it polls every 2 s).
      await redis.set(
        REDIS_KEYS.forecast('eu', RESOURCE),
        JSON.stringify(forecast(firstWindow + WINDOW_MS, 160, 170)),
        'EX',
        600,
      );
      await page.locator('#chart[data-points="4"]').waitFor({ timeout: 10_000 });
      await redis.set(
        REDIS_KEYS.forecast('eu', RESOURCE),
        JSON.stringify(forecast(firstWindow + 2 * WINDOW_MS, 175, 165)),
        'EX',
        600,
      );
      await page.locator('#chart[data-points="6"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('#counters').textContent()).toContain('mirrors created1');

      mkdirSync(join(tmpdir(), 'pdme-status-page'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(await page.evaluate<string[]>('window.cspViolations')).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    });

    it('refuses a wrong key and asks again', async () => {
      const page = await openPage();
      await page.goto(`${base}/`);
      await page.evaluate('sessionStorage.clear()');
      await page.reload();
      await page.fill('#api-key', 'pdme_not-a-real-key');
      await page.click('#login button[type=submit]');
      await page.locator('#status', { hasText: 'HTTP 401' }).waitFor({ timeout: 10_000 });
      expect(await page.locator('#login').isVisible()).toBe(true);
      expect(await page.evaluate<string | null>("sessionStorage.getItem('pdme.readKey')")).toBeNull();
      await page.close();
    });
  },
);
