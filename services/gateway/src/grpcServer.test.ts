import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { PdmeError } from '@pdme/common/errors';
import { StatsServiceClient, type GetStatsRequest, type GetStatsResponse } from '@pdme/common/proto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '../test/fixtures.js';
import { checkHealth, grpcClient, listServices, reflect, watchHealth } from '../test/grpcClients.js';
import {
  STATS_SERVICE_NAME,
  startGrpcServer,
  toGetStatsResponse,
  type RunningGrpcServer,
} from './grpcServer.js';
import type { StatsFilter } from './statsFilter.js';
import type { StatsSnapshot, StatsSource } from './statsReader.js';
import { noAccuracy } from './statsAccuracy.js';

const snapshot: StatsSnapshot = {
  mirrors: [
    {
      resource: 'a.video.example.com',
      cluster: 'eu',
      serverId: 'eu-a',
      serverHost: 'eu-a.cache.example.net',
      state: 'applied',
      commandId: 'cmd-1',
      sinceMs: 1_700_000_000_000.4,
      reservedBytes: 50_000.6,
      predictedDemand: 123.5,
    },
  ],
  servers: [{ cluster: 'eu', serverId: 'eu-a', capacityBytes: 1_000_000, usedBytes: -5, mirrors: 1 }],
  mirrorsCreated: 3,
  mirrorsRemoved: 1,
  mirrorsFailed: 0,
  lateMirrors: 2,
  generatedMs: 1_700_000_000_123,
  forecasts: [],
  invalidRecords: 7,
  accuracy: noAccuracy(),
  performance: { readMs: 1.5, forecastAgeMs: null, latencies: [] },
};

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

function getStats(client: StatsServiceClient, request: GetStatsRequest): Promise<GetStatsResponse> {
  return new Promise((resolve, reject) => {
    client.getStats(request, (error: ServiceError | null, response: GetStatsResponse) => {
      if (error) reject(error);
      else resolve(response);
    });
  });
}

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}

describe('toGetStatsResponse', () => {
  it('drops HTTP-only fields and makes 64-bit numbers wire-safe', () => {
    const response = toGetStatsResponse(snapshot);
    expect(response).not.toHaveProperty('forecasts');
    expect(response).not.toHaveProperty('invalidRecords');
    expect(response.mirrors[0]).toMatchObject({ sinceMs: 1_700_000_000_000, reservedBytes: 50_001 });
    expect(response.servers[0]?.usedBytes).toBe(0);
  });
});

describe('startGrpcServer', () => {
  const reader = new FakeReader();
  const { logger } = capturingLogger();
  let running: RunningGrpcServer;
  let address: string;
  let stats: StatsServiceClient;

  beforeAll(async () => {
    running = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      reader,
      logger,
      shutdownGraceMs: 300,
      auth: undefined,
    });
    address = `127.0.0.1:${running.port}`;
    stats = new StatsServiceClient(address, credentials.createInsecure());
  });
  afterAll(async () => {
    stats.close();
    await running.shutdown();
  });
  beforeEach(() => {
    reader.filters.length = 0;
    reader.failWith = undefined;
  });

  it('answers GetStats from the reader, with empty fields meaning "all"', async () => {
    const response = await getStats(stats, { cluster: '', resource: '' });
    expect(reader.filters).toEqual([{}]);
    expect(response).toEqual(toGetStatsResponse(snapshot));
  });

  it('passes a validated filter on', async () => {
    await getStats(stats, { cluster: 'us', resource: 'B.Video.Example.com.' });
    expect(reader.filters).toEqual([{ cluster: 'us', resource: 'b.video.example.com' }]);
  });

  it('answers INVALID_ARGUMENT for a bad cluster or resource', async () => {
    const error = await rejection(getStats(stats, { cluster: 'mars', resource: 'not a name' }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain('cluster: must be one of the configured clusters');
    expect(error.details).toContain('resource: must be a DNS name');
    expect(error.metadata.get('pdme-error-code')).toEqual(['BAD_INPUT']);
    expect(reader.filters).toEqual([]);
  });

  it('maps reader failures: UNAVAILABLE stays, anything else is a bare INTERNAL', async () => {
    reader.failWith = new PdmeError('UNAVAILABLE', 'stats store unavailable');
    expect(await rejection(getStats(stats, { cluster: '', resource: '' }))).toMatchObject({
      code: status.UNAVAILABLE,
      details: 'stats store unavailable',
    });
    reader.failWith = new Error('secret internals');
    expect(await rejection(getStats(stats, { cluster: '', resource: '' }))).toMatchObject({
      code: status.INTERNAL,
      details: 'internal error',
    });
  });

  it('reports SERVING for the server and the stats service, NOT_FOUND for others', async () => {
    const client = grpcClient(address);
    try {
      expect(await checkHealth(client, '')).toBe('SERVING');
      expect(await checkHealth(client, STATS_SERVICE_NAME)).toBe('SERVING');
      expect(await rejection(checkHealth(client, 'nope.Service'))).toMatchObject({ code: status.NOT_FOUND });
    } finally {
      client.close();
    }
  });

  it('lists the stats and health services through reflection v1 and v1alpha', async () => {
    const client = grpcClient(address);
    try {
      for (const version of ['v1', 'v1alpha'] as const) {
        const services = await listServices(client, version);
        expect(services).toContain(STATS_SERVICE_NAME);
        expect(services).toContain('grpc.health.v1.Health');
      }
      // What `grpcurl describe pdme.v1.StatsService` asks for. proto-loader merges files per package,
      // so the descriptor is named pdme_v1.proto rather than pdme/v1/stats.proto.
      const answer = await reflect(client, 'v1', { file_containing_symbol: STATS_SERVICE_NAME });
      const files: unknown = (answer['file_descriptor_response'] as Record<string, unknown> | undefined)?.[
        'file_descriptor_proto'
      ];
      expect(Array.isArray(files) && files.length > 0).toBe(true);
      expect(answer['error_response']).toBeUndefined();
    } finally {
      client.close();
    }
  });
});

describe('startGrpcServer shutdown', () => {
  it('turns NOT_SERVING, then cancels calls still open after the grace period', async () => {
    const { logger, lines } = capturingLogger();
    const running = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      reader: new FakeReader(),
      auth: undefined,
      logger,
      shutdownGraceMs: 200,
    });
    const client = grpcClient(`127.0.0.1:${running.port}`);
    const seen: string[] = [];
    let sawServing: () => void = () => undefined;
    const serving = new Promise<void>((resolve) => (sawServing = resolve));
    const ended = watchHealth(client, '', (s) => {
      seen.push(s);
      if (s === 'SERVING') sawServing();
    });
    await serving;
    const started = Date.now();
    await running.shutdown();
    await ended;
    client.close();
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(lines.some((l) => l['event'] === 'gateway.grpc.force_shutdown')).toBe(true);
  });
});
