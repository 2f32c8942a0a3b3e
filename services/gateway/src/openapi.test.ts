import { describe, expect, it } from 'vitest';
import { capturingLogger, sampleConfig } from '../test/fixtures.js';
import { MemoryConfigSource, MemoryEventSink } from '../test/memorySources.js';
import { createHttpApp } from './httpApp.js';
import { openApiDocument } from './openapi.js';
import type { StatsSource } from './statsReader.js';

const reader: StatsSource = {
  clusters: ['eu'],
  read: () => Promise.reject(new Error('not used')),
};

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
});
