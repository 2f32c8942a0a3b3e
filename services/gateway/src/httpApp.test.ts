import { PdmeError } from '@pdme/common/errors';
import { createRegistry } from '@pdme/common/metrics';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capturingLogger, sampleConfig } from '../test/fixtures.js';
import { MemoryConfigSource, MemoryEventSink } from '../test/memorySources.js';
import { canonicalJson, etagOf } from './canonicalJson.js';
import { createHttpApp } from './httpApp.js';
import { listenHttp, type RunningHttpServer } from './httpServer.js';
import type { StatsFilter } from './statsFilter.js';
import type { StatsSnapshot, StatsSource } from './statsReader.js';
import { noAccuracy } from './statsAccuracy.js';

const snapshot: StatsSnapshot = {
  mirrors: [],
  servers: [],
  mirrorsCreated: 1,
  mirrorsRemoved: 2,
  mirrorsFailed: 3,
  lateMirrors: 4,
  generatedMs: 1_700_000_000_000,
  forecasts: [],
  invalidRecords: 0,
  accuracy: noAccuracy(),
  performance: { readMs: 1.5, forecastAgeMs: null, latencies: [] },
};

/** A reader that records filters and answers with `snapshot`, or throws `failWith`. */
class FakeReader implements StatsSource {
  readonly clusters = ['eu', 'us'];
  readonly filters: StatsFilter[] = [];
  failWith: Error | undefined;
  async read(filter: StatsFilter): Promise<StatsSnapshot> {
    this.filters.push(filter);
    if (this.failWith !== undefined) throw this.failWith;
    return snapshot;
  }
}

describe('createHttpApp', () => {
  const config = sampleConfig();
  const reader = new FakeReader();
  const { logger, lines } = capturingLogger();
  const registry = createRegistry('gateway-test');
  let ready = true;
  let running: RunningHttpServer;
  let base: string;

  beforeAll(async () => {
    const app = createHttpApp({
      reader,
      configStore: new MemoryConfigSource(config),
      events: new MemoryEventSink(),
      auth: undefined,
      logger,
      registry,
      isReady: () => ready,
    });
    running = await listenHttp(app, '127.0.0.1', 0);
    base = `http://127.0.0.1:${running.port}`;
  });
  afterAll(() => running.close());
  beforeEach(() => {
    reader.filters.length = 0;
    reader.failWith = undefined;
    lines.length = 0;
    ready = true;
  });

  describe('status page', () => {
    it('serves the page, its scripts and uPlot from this origin, with a self-only CSP', async () => {
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      // Only 'self' and 'none' as sources: no hosts, schemes, inline code or eval.
      const sources = csp.split(';').flatMap((directive) => directive.trim().split(/\s+/).slice(1));
      expect(new Set(sources)).toEqual(new Set(["'self'", "'none'"]));
      const html = await page.text();
      for (const asset of [
        '/status.js',
        '/status.css',
        '/vendor/uPlot.iife.min.js',
        '/vendor/uPlot.min.css',
      ]) {
        expect(html).toContain(`"${asset}"`);
        const res = await fetch(`${base}${asset}`);
        expect(res.status, asset).toBe(200);
      }
      expect(await (await fetch(`${base}/vendor/uPlot.iife.min.js`)).text()).toContain('uPlot');
      expect(await (await fetch(`${base}/status.js`)).text()).toContain("from './statusModel.js'");
    });
  });

  describe('GET /pdme/stats', () => {
    it('answers the snapshot and passes the validated filter on', async () => {
      const res = await fetch(`${base}/pdme/stats?cluster=eu&resource=A.Video.Example.com`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(snapshot);
      expect(reader.filters).toEqual([{ cluster: 'eu', resource: 'a.video.example.com' }]);
    });

    it('reads everything without parameters', async () => {
      expect((await fetch(`${base}/pdme/stats`)).status).toBe(200);
      expect(reader.filters).toEqual([{}]);
    });

    it('passes a time range on as epoch milliseconds', async () => {
      const res = await fetch(`${base}/pdme/stats?since=2023-11-14T22:13:20Z&until=1700000060000`);
      expect(res.status).toBe(200);
      expect(reader.filters).toEqual([{ since: 1_700_000_000_000, until: 1_700_000_060_000 }]);
    });

    it('refuses a range that ends before it starts, naming until', async () => {
      const res = await fetch(`${base}/pdme/stats?since=1700000060000&until=1700000000000`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { fields: [{ field: 'until' }] } });
    });

    it('refuses an unknown cluster with 400 naming the field', async () => {
      const res = await fetch(`${base}/pdme/stats?cluster=mars`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as {
        error: { code: string; message: string; fields: { field: string }[] };
      };
      expect(body.error.code).toBe('BAD_INPUT');
      expect(body.error.fields.map((f) => f.field)).toEqual(['cluster']);
      expect(reader.filters).toEqual([]);
    });

    it('refuses a resource that is not a DNS name', async () => {
      const res = await fetch(`${base}/pdme/stats?resource=${encodeURIComponent('no spaces.example.com')}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { code: 'BAD_INPUT', fields: [{ field: 'resource', problem: 'must be a DNS name' }] },
      });
    });

    it('refuses repeated and unknown parameters', async () => {
      const res = await fetch(`${base}/pdme/stats?cluster=eu&cluster=us&foo=1`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { fields: { field: string }[] } };
      expect(body.error.fields.map((f) => f.field).sort()).toEqual(['cluster', 'foo']);
    });

    it('maps a PdmeError from the reader to its status', async () => {
      reader.failWith = new PdmeError('UNAVAILABLE', 'stats store unavailable');
      const res = await fetch(`${base}/pdme/stats`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        error: { code: 'UNAVAILABLE', message: 'stats store unavailable' },
      });
    });

    it('answers 500 without internals for anything else, and logs it', async () => {
      reader.failWith = new Error('connect ECONNREFUSED 10.9.8.7:6379');
      const res = await fetch(`${base}/pdme/stats`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
      expect(text).not.toContain('10.9.8.7');
      expect(lines.some((l) => l['event'] === 'gateway.http.error')).toBe(true);
    });
  });

  describe('GET /pdme/config', () => {
    const body = canonicalJson(config);
    const etag = etagOf(body);

    it('answers the canonical config JSON with a sha256 ETag', async () => {
      const res = await fetch(`${base}/pdme/config`);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(etag);
      const text = await res.text();
      expect(text).toBe(body);
      expect(JSON.parse(text)).toEqual(config);
    });

    it('answers 304 without a body when If-None-Match matches', async () => {
      const res = await fetch(`${base}/pdme/config`, { headers: { 'If-None-Match': etag } });
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
    });

    it('answers 200 when If-None-Match does not match', async () => {
      const res = await fetch(`${base}/pdme/config`, { headers: { 'If-None-Match': '"stale"' } });
      expect(res.status).toBe(200);
    });
  });

  describe('everything else', () => {
    it('answers JSON 404 for unknown routes and methods', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['POST', '/pdme/stats'],
      ] as const) {
        const res = await fetch(`${base}${path}`, { method });
        expect(res.status).toBe(404);
        expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      }
    });

    it('serves /healthz and /readyz', async () => {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      ready = false;
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
    });

    it('logs each request with method, path, status and ms but no client address or query', async () => {
      await fetch(`${base}/pdme/stats?cluster=eu`);
      const entry = lines.find((l) => l['event'] === 'gateway.http.request');
      expect(entry).toMatchObject({ method: 'GET', path: '/pdme/stats', status: 200 });
      expect(typeof entry?.['ms']).toBe('number');
      const text = JSON.stringify(lines);
      expect(text).not.toContain('127.0.0.1');
      expect(text).not.toContain('cluster=eu');
    });

    it('records request durations by route pattern', async () => {
      await fetch(`${base}/pdme/stats`);
      const metrics = await registry.metrics();
      expect(metrics).toMatch(
        /pdme_gateway_http_request_duration_seconds_count\{[^}]*route="\/pdme\/stats"[^}]*\} \d+/,
      );
    });
  });
});
