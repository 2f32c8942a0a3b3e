import { describe, expect, it } from 'vitest';
import { capturingLogger, sampleConfig } from '../test/fixtures.js';
import { MemoryConfigSource, MemoryEventSink } from '../test/memorySources.js';
import { createHttpApp } from './httpApp.js';
import { openApiDocument } from './openapi.js';
import { noAccuracy } from './statsAccuracy.js';
import type { StatsSnapshot, StatsSource } from './statsReader.js';

const reader: StatsSource = {
  clusters: ['eu'],
  read: () => Promise.reject(new Error('not used')),
};

interface Schema {
  properties?: Record<string, Schema>;
  items?: Schema;
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
}

/** `METHOD path` of every route the Express app registered (Express 5 keeps them on app.router). */
function appRoutes(): string[] {
  const app = createHttpApp({
    reader,
    configStore: new MemoryConfigSource(sampleConfig()),
    events: new MemoryEventSink(),
    auth: undefined,
    logger: capturingLogger().logger,
  });
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  return stack.flatMap((layer) =>
    layer.route === undefined || typeof layer.route.path !== 'string'
      ? []
      : Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map((method) => `${method.toUpperCase()} ${String(layer.route?.path)}`),
  );
}

function documentedRoutes(): string[] {
  const paths = openApiDocument()['paths'] as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('openApiDocument', () => {
  it('documents exactly the routes the app serves', () => {
    const routes = appRoutes();
    expect(routes.length).toBeGreaterThan(5);
    expect(documentedRoutes().sort()).toEqual([...new Set(routes)].sort());
  });

  it('is OpenAPI 3.1 with the config and event schemas from the shared zod schemas', () => {
    const document = openApiDocument();
    expect(document['openapi']).toBe('3.1.0');
    const schemas = (document['components'] as { schemas: Record<string, { properties?: object }> }).schemas;
    expect(Object.keys(schemas['PdmeConfig']?.properties ?? {})).toEqual(
      expect.arrayContaining(['clusters', 'resourceTypes', 'decision', 'forecast', 'anonymization']),
    );
    expect(Object.keys(schemas['ExternalEventInput']?.properties ?? {})).toEqual(
      expect.arrayContaining([
        'source',
        'resources',
        'patterns',
        'clusters',
        'intensity',
        'startMs',
        'endMs',
      ]),
    );
  });

  it('documents every field of a stats snapshot, accuracy and latencies included', () => {
    // Typed as StatsSnapshot, so a field added to the snapshot fails to compile here until it is listed.
    const snapshot: StatsSnapshot & { lateCommands: number } = {
      mirrors: [],
      servers: [],
      mirrorsCreated: 0,
      mirrorsRemoved: 0,
      mirrorsFailed: 0,
      lateMirrors: 0,
      lateCommands: 0,
      generatedMs: 0,
      forecasts: [],
      invalidRecords: 0,
      accuracy: noAccuracy(),
      performance: {
        readMs: 0,
        forecastAgeMs: null,
        latencies: [
          {
            service: 'forecaster',
            instance: '1',
            name: 'window-update',
            description: '',
            p50Ms: 1,
            p99Ms: 2,
            count: 3,
            spanMs: 4,
            atMs: 5,
          },
        ],
      },
    };
    const schemas = (openApiDocument()['components'] as { schemas: Record<string, Schema> }).schemas;
    const stats = schemas['StatsSnapshot'];
    expect(Object.keys(stats?.properties ?? {}).sort()).toEqual(Object.keys(snapshot).sort());
    const performanceSchema = stats?.properties?.['performance'];
    expect(Object.keys(performanceSchema?.properties ?? {}).sort()).toEqual(
      Object.keys(snapshot.performance).sort(),
    );
    expect(Object.keys(performanceSchema?.properties?.['latencies']?.items?.properties ?? {}).sort()).toEqual(
      Object.keys(snapshot.performance.latencies[0] ?? {}).sort(),
    );
    expect(Object.keys(schemas['PredictionAccuracy']?.properties ?? {}).sort()).toEqual(
      Object.keys(snapshot.accuracy).sort(),
    );
    expect(Object.keys(schemas['AccuracyRatios']?.properties ?? {}).sort()).toEqual(
      Object.keys(snapshot.accuracy.overall).sort(),
    );
  });
});
