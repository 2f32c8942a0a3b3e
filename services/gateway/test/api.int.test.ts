import { randomBytes } from 'node:crypto';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { API_KEYS_HASH, ApiKeyStore, Authenticator, jwtVerifier } from '@pdme/common/auth';
import { CONFIG_AUDIT_STREAM, LiveConfig } from '@pdme/common/config';
import { REDIS_KEYS } from '@pdme/common/keys';
import { StatsServiceClient, type GetStatsResponse } from '@pdme/common/proto';
import { createRedis, type Redis } from '@pdme/common/redis';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConfigStore } from '../src/configStore.js';
import { startGrpcServer, type RunningGrpcServer } from '../src/grpcServer.js';
import { createHttpApp } from '../src/httpApp.js';
import { listenHttp, type RunningHttpServer } from '../src/httpServer.js';
import { StatsReader } from '../src/statsReader.js';
import { capturingLogger, sampleConfig } from './fixtures.js';
import { checkHealth, grpcClient } from './grpcClients.js';
import { MemoryEventSink } from './memorySources.js';

/** Gateway tests own Redis database 14; this file removes only the keys it wrote. */
const REDIS_URL = 'redis://127.0.0.1:6379/14';
const OWN_KEYS = [API_KEYS_HASH, REDIS_KEYS.config, CONFIG_AUDIT_STREAM];
const JWT_SECRET = new TextEncoder().encode(randomBytes(32).toString('hex'));

interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; problem: string }[] };
}

describe('gateway API with access control, live config and events (Redis db 14)', () => {
  const config = sampleConfig();
  const { logger, lines } = capturingLogger();
  const events = new MemoryEventSink();
  let redis: Redis;
  let live: LiveConfig;
  let http: RunningHttpServer;
  let grpc: RunningGrpcServer;
  let base: string;
  let readKey: string;
  let adminKey: string;
  let revokedKey: string;
  let adminId: string;

  const call = (path: string, init: RequestInit & { key?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key !== undefined) headers.set('authorization', `Bearer ${init.key}`);
    return fetch(`${base}${path}`, { ...init, headers });
  };
  const current = async () => {
    const res = await call('/pdme/config', { key: readKey });
    return {
      etag: res.headers.get('etag') ?? '',
      version: Number(res.headers.get('pdme-config-version')),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  const patch = (body: unknown, headers: Record<string, string>, key = adminKey) =>
    call('/pdme/config', {
      method: 'PATCH',
      key,
      headers: { 'content-type': 'application/merge-patch+json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    redis = createRedis(REDIS_URL, logger);
    await redis.connect();
    await redis.del(...OWN_KEYS);
    const keys = new ApiKeyStore(redis);
    readKey = (await keys.create('pdme:read', 'test-read')).key;
    const admin = await keys.create('pdme:admin', 'test-admin');
    adminKey = admin.key;
    adminId = admin.info.id;
    const revoked = await keys.create('pdme:admin', 'test-revoked');
    revokedKey = revoked.key;
    await keys.revoke(revoked.info.id);

    const auth = new Authenticator({
      keys,
      jwt: jwtVerifier({ hs256Secret: JWT_SECRET, issuer: 'pdme-test' }),
    });
    const reader = new StatsReader(
      redis,
      config.clusters.map((c) => c.id),
    );
    const configStore = new RedisConfigStore(redis, config);
    http = await listenHttp(createHttpApp({ reader, configStore, events, auth, logger }), '127.0.0.1', 0);
    base = `http://127.0.0.1:${http.port}`;
    grpc = await startGrpcServer({ host: '127.0.0.1', port: 0, reader, logger, auth, shutdownGraceMs: 300 });
    live = new LiveConfig({ redis, subscriber: createRedis(REDIS_URL, logger), initial: config, logger });
    await live.start();
  });

  afterAll(async () => {
    await live.stop();
    await Promise.all([grpc.shutdown(), http.close()]);
    await redis.del(...OWN_KEYS);
    await redis.quit();
  });

  describe('authentication and scopes', () => {
    it('answers 401 without credentials, with an unknown key and with a revoked key', async () => {
      for (const key of [
        undefined,
        `pdme_${'0'.repeat(16)}_${'A'.repeat(43)}`,
        revokedKey,
        'not-a-jwt.x.y',
      ]) {
        const res = await call('/pdme/stats', key === undefined ? {} : { key });
        expect(res.status, String(key)).toBe(401);
        expect(((await res.json()) as ErrorBody).error.code).toBe('UNAUTHORIZED');
      }
    });

    it('accepts a read key as bearer token or x-api-key', async () => {
      expect((await call('/pdme/stats', { key: readKey })).status).toBe(200);
      expect((await call('/pdme/stats', { headers: { 'x-api-key': readKey } })).status).toBe(200);
    });

    it('answers 403 to a read key on a write', async () => {
      const { etag } = await current();
      const res = await patch({ decision: { hysteresisWindows: 4 } }, { 'if-match': etag }, readKey);
      expect(res.status).toBe(403);
      expect(((await res.json()) as ErrorBody).error.code).toBe('FORBIDDEN');
      expect((await current()).etag).toBe(etag);
    });

    it('accepts an HS256 JWT with its scopes, and refuses one signed with another secret', async () => {
      const sign = (secret: Uint8Array, scope: string) =>
        new SignJWT({ scope })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .setIssuer('pdme-test')
          .setExpirationTime('5m')
          .sign(secret);
      expect((await call('/pdme/stats', { key: await sign(JWT_SECRET, 'pdme:read') })).status).toBe(200);
      const other = new TextEncoder().encode('another secret of enough length!!');
      expect((await call('/pdme/stats', { key: await sign(other, 'pdme:read') })).status).toBe(401);
      const readJwt = await sign(JWT_SECRET, 'pdme:read');
      const { etag } = await current();
      expect(
        (await patch({ decision: { hysteresisWindows: 4 } }, { 'if-match': etag }, readJwt)).status,
      ).toBe(403);
    });

    it('sets security headers', async () => {
      const res = await call('/pdme/stats', { key: readKey });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('ratelimit-policy')).not.toBeNull();
    });
  });

  describe('changing the config', () => {
    it('answers 428 without If-Match and 412 with a stale one', async () => {
      const before = await current();
      expect((await patch({ decision: { hysteresisWindows: 4 } }, {})).status).toBe(428);
      const stale = await patch({ decision: { hysteresisWindows: 4 } }, { 'if-match': '"stale"' });
      expect(stale.status).toBe(412);
      expect(((await stale.json()) as ErrorBody).error.code).toBe('PRECONDITION_FAILED');
      expect((await current()).version).toBe(before.version);
    });

    it('answers 400 naming each bad field, and changes nothing', async () => {
      const before = await current();
      const res = await patch(
        { decision: { weights: { latency: -1 } }, resourceTypes: [{ name: 'video' }] },
        { 'if-match': before.etag },
      );
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('BAD_INPUT');
      const fields = body.error.fields?.map((f) => f.field) ?? [];
      expect(fields).toContain('decision.weights.latency');
      expect(fields).toContain('resourceTypes.0.threshold');
      const typo = await patch({ decision: { hysteresisWindow: 4 } }, { 'if-match': before.etag });
      expect(((await typo.json()) as ErrorBody).error.fields).toEqual([
        { field: 'decision.hysteresisWindow', problem: 'unknown field' },
      ]);
      expect((await current()).version).toBe(before.version);
    });

    it('applies a merge patch: new version and ETag, audited, announced, and live in LiveConfig', async () => {
      const before = await current();
      const seen = new Promise<number>((resolve) => {
        const off = live.onChange(({ version }) => {
          off();
          resolve(version);
        });
      });
      const res = await patch({ decision: { hysteresisWindows: 7 } }, { 'if-match': before.etag });
      expect(res.status).toBe(200);
      const version = Number(res.headers.get('pdme-config-version'));
      expect(version).toBe(before.version + 1);
      expect(res.headers.get('etag')).not.toBe(before.etag);
      expect(
        ((await res.json()) as { decision: { hysteresisWindows: number } }).decision.hysteresisWindows,
      ).toBe(7);

      expect(await seen).toBe(version);
      expect(live.config.decision.hysteresisWindows).toBe(7);

      const audit = await call('/pdme/config/audit?limit=1', { key: adminKey });
      expect(await audit.json()).toMatchObject({
        entries: [
          {
            version,
            who: `key:${adminId}`,
            diff: [{ path: 'decision.hysteresisWindows', before: 3, after: 7 }],
          },
        ],
      });
      expect(lines.some((l) => l['event'] === 'gateway.config.changed' && l['version'] === version)).toBe(
        true,
      );
      // The old ETag is stale now.
      expect((await patch({ decision: { hysteresisWindows: 8 } }, { 'if-match': before.etag })).status).toBe(
        412,
      );
    });

    it('replaces the whole document with PUT', async () => {
      const before = await current();
      const document = {
        ...before.body,
        forecast: { ...(before.body['forecast'] as object), horizonSteps: 9 },
      };
      const res = await call('/pdme/config', {
        method: 'PUT',
        key: adminKey,
        headers: { 'content-type': 'application/json', 'if-match': before.etag },
        body: JSON.stringify(document),
      });
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('pdme-config-version'))).toBe(before.version + 1);
      expect((await current()).body['forecast']).toMatchObject({ horizonSteps: 9 });
    });

    it('LiveConfig rejects a stored version that does not validate and keeps the one in force', async () => {
      const kept = live.current();
      await redis.set(
        REDIS_KEYS.config,
        JSON.stringify({ version: kept.version + 1, config: { ...kept.config, clusters: [] } }),
      );
      await redis.publish(REDIS_KEYS.configChannel, String(kept.version + 1));
      await live.refresh();
      expect(live.current()).toBe(kept);
      expect(lines.some((l) => l['event'] === 'config.live.rejected')).toBe(true);
      await redis.set(REDIS_KEYS.config, JSON.stringify({ version: kept.version, config: kept.config }));
    });
  });

  describe('POST /pdme/events', () => {
    const event = {
      source: 'newsroom',
      resources: ['Big-Match.Video.Example.com.'],
      patterns: ['**.live.example.com'],
      clusters: ['eu'],
      intensity: 8,
      startMs: 1_700_000_000_000,
      endMs: 1_700_003_600_000,
    };
    const post = (body: unknown, key = adminKey) =>
      call('/pdme/events', {
        method: 'POST',
        key,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('publishes a valid event and answers 202 with its id', async () => {
      const res = await post({ ...event, eventId: 'news-1' });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ eventId: 'news-1' });
      expect(events.events.at(-1)).toEqual({
        ...event,
        eventId: 'news-1',
        resources: ['big-match.video.example.com'],
      });
    });

    it('names every bad field, and needs pdme:admin', async () => {
      const res = await post({ ...event, clusters: ['mars'], intensity: 0, endMs: 1, colour: 'red' });
      expect(res.status).toBe(400);
      const fields = ((await res.json()) as ErrorBody).error.fields?.map((f) => f.field).sort();
      expect(fields).toEqual(['colour', 'endMs', 'intensity']);
      const unknownCluster = await post({ ...event, clusters: ['mars'] });
      expect(((await unknownCluster.json()) as ErrorBody).error.fields?.map((f) => f.field)).toEqual([
        'clusters.0',
      ]);
      expect((await post(event, readKey)).status).toBe(403);
    });
  });

  describe('gRPC', () => {
    let client: StatsServiceClient;
    beforeAll(() => {
      client = new StatsServiceClient(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
    });
    afterAll(() => client.close());

    const getStats = (metadata: Metadata) =>
      new Promise<GetStatsResponse>((resolve, reject) =>
        client.getStats({ cluster: '', resource: '' }, metadata, (error: ServiceError | null, response) =>
          error ? reject(error) : resolve(response),
        ),
      );
    const withKey = (name: string, value: string) => {
      const metadata = new Metadata();
      metadata.set(name, value);
      return metadata;
    };

    it('refuses GetStats without credentials (UNAUTHENTICATED) and answers with a read key', async () => {
      await expect(getStats(new Metadata())).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      await expect(getStats(withKey('authorization', `Bearer ${revokedKey}`))).rejects.toMatchObject({
        code: status.UNAUTHENTICATED,
      });
      expect((await getStats(withKey('authorization', `Bearer ${readKey}`))).generatedMs).toBeGreaterThan(0);
      expect((await getStats(withKey('x-api-key', readKey))).generatedMs).toBeGreaterThan(0);
    });

    it('keeps the health service open for probes', async () => {
      const health = grpcClient(`127.0.0.1:${grpc.port}`);
      expect(await checkHealth(health, 'pdme.v1.StatsService')).toBe('SERVING');
      health.close();
    });

    it('streams stats with WatchStats, and refuses the stream without credentials', async () => {
      const stream = client.watchStats(
        { cluster: 'eu', resource: '', intervalMs: 250 },
        withKey('x-api-key', readKey),
      );
      const first = await new Promise<GetStatsResponse>((resolve, reject) => {
        stream.once('data', resolve);
        stream.once('error', reject);
      });
      expect(first.servers.every((s) => s.cluster === 'eu')).toBe(true);
      stream.cancel();
      const refused = client.watchStats({ cluster: '', resource: '', intervalMs: 0 }, new Metadata());
      await expect(
        new Promise((resolve, reject) => {
          refused.on('data', resolve);
          refused.on('error', reject);
        }),
      ).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    });
  });
});
