import { PdmeConfigSchema, z } from '@pdme/common/config';
import { ExternalEventInputSchema } from './externalEvent.js';
import { STATUS_PAGE_ASSETS } from './statusPage.js';

type Json = Record<string, unknown>;

const json = (schema: Json) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });

const AUTH_ERRORS = {
  '401': errorResponse('no valid credentials'),
  '429': errorResponse('rate limited'),
};
const ADMIN_ERRORS = { ...AUTH_ERRORS, '403': errorResponse('the credentials lack pdme:admin') };
const ETAG_HEADERS = {
  ETag: { description: 'sha256 of the canonical config JSON', schema: { type: 'string' } },
  'Pdme-Config-Version': { description: 'the live config version', schema: { type: 'integer' } },
};
const IF_MATCH = {
  name: 'If-Match',
  in: 'header',
  required: true,
  description: 'the ETag of the config the change is based on',
  schema: { type: 'string' },
};
const configChange = (summary: string, mediaType: string, schema: Json) => ({
  summary,
  security: [{ bearer: ['pdme:admin'] }, { apiKey: ['pdme:admin'] }],
  parameters: [IF_MATCH],
  requestBody: { required: true, content: { [mediaType]: { schema } } },
  responses: {
    '200': {
      description: 'the config now in force',
      headers: ETAG_HEADERS,
      content: json(ref('PdmeConfig')),
    },
    '400': errorResponse('invalid config: error.fields names every bad field'),
    ...ADMIN_ERRORS,
    '412': errorResponse('If-Match does not match the current config'),
    '428': errorResponse('If-Match is missing'),
  },
});
const probe = (summary: string) => ({
  summary,
  security: [],
  responses: { '200': { description: 'ok' }, '503': { description: 'not ready' } },
});

/** The status page and its scripts: public, no key (the page asks for one). */
function statusPagePaths(): Json {
  return Object.fromEntries(
    Object.entries(STATUS_PAGE_ASSETS).map(([route, { type }]) => [
      route,
      {
        get: {
          summary: route === '/' ? 'the status page (HTML)' : 'a file of the status page',
          security: [],
          responses: { '200': { description: type } },
        },
      },
    ]),
  );
}

/** The OpenAPI 3.1 description of the HTTP API; a test keeps it in step with the routes. */
export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'PDME gateway',
      version: '1',
      description: 'Stats, live config and external events of the Predictive DNS Mirroring Engine.',
    },
    security: [{ bearer: ['pdme:read'] }, { apiKey: ['pdme:read'] }],
    paths: {
      '/healthz': { get: probe('the process answers') },
      '/readyz': { get: probe('the gateway takes requests') },
      '/openapi.json': {
        get: { summary: 'this document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
      ...statusPagePaths(),
      '/pdme/stats': {
        get: {
          summary: 'mirrors, server usage, counters, forecasts, prediction accuracy and latencies',
          parameters: [
            { name: 'cluster', in: 'query', schema: { type: 'string' }, description: 'a configured cluster' },
            { name: 'resource', in: 'query', schema: { type: 'string' }, description: 'a DNS name' },
            {
              name: 'since',
              in: 'query',
              schema: { type: 'string' },
              description: 'mirrors with sinceMs >= this: epoch ms or ISO 8601 date-time with zone',
            },
            {
              name: 'until',
              in: 'query',
              schema: { type: 'string' },
              description: 'mirrors with sinceMs < this: epoch ms or ISO 8601 date-time with zone',
            },
          ],
          responses: {
            '200': { description: 'a stats snapshot', content: json(ref('StatsSnapshot')) },
            '400': errorResponse('bad filter: error.fields names it'),
            ...AUTH_ERRORS,
            '503': errorResponse('stats store unavailable'),
          },
        },
      },
      '/pdme/config': {
        get: {
          summary: 'the live config with its version',
          parameters: [{ name: 'If-None-Match', in: 'header', schema: { type: 'string' } }],
          responses: {
            '200': { description: 'the config', headers: ETAG_HEADERS, content: json(ref('PdmeConfig')) },
            '304': { description: 'unchanged since If-None-Match' },
            ...AUTH_ERRORS,
          },
        },
        put: configChange('replace the config', 'application/json', ref('PdmeConfig')),
        patch: configChange(
          'change part of the config (RFC 7396 JSON merge patch)',
          'application/merge-patch+json',
          {
            type: 'object',
          },
        ),
      },
      '/pdme/config/audit': {
        get: {
          summary: 'latest config changes, newest first: who, when, what',
          security: [{ bearer: ['pdme:admin'] }, { apiKey: ['pdme:admin'] }],
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          ],
          responses: {
            '200': { description: 'audit entries', content: json(ref('AuditEntries')) },
            ...ADMIN_ERRORS,
          },
        },
      },
      '/pdme/events': {
        post: {
          summary: 'announce an external event (published to pdme.external-events.v1)',
          security: [{ bearer: ['pdme:admin'] }, { apiKey: ['pdme:admin'] }],
          requestBody: { required: true, content: json(ref('ExternalEventInput')) },
          responses: {
            '202': {
              description: 'published',
              content: json({ type: 'object', properties: { eventId: { type: 'string' } } }),
            },
            '400': errorResponse('invalid event: error.fields names every bad field'),
            ...ADMIN_ERRORS,
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'an API key (pdme_...) or a JWT' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      schemas: {
        PdmeConfig: z.toJSONSchema(PdmeConfigSchema, { io: 'input', unrepresentable: 'any' }),
        ExternalEventInput: z.toJSONSchema(ExternalEventInputSchema, { io: 'input', unrepresentable: 'any' }),
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                fields: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { field: { type: 'string' }, problem: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
        StatsSnapshot: {
          type: 'object',
          properties: {
            mirrors: { type: 'array', items: { type: 'object' } },
            servers: { type: 'array', items: { type: 'object' } },
            mirrorsCreated: { type: 'integer' },
            mirrorsRemoved: { type: 'integer' },
            mirrorsFailed: { type: 'integer' },
            lateMirrors: { type: 'integer' },
            lateCommands: { type: 'integer' },
            generatedMs: { type: 'integer' },
            forecasts: { type: 'array', items: { type: 'object' } },
            invalidRecords: { type: 'integer' },
            accuracy: ref('PredictionAccuracy'),
            performance: {
              type: 'object',
              description:
                'what Redis tells about performance: services write latency summaries there; those that do not are absent',
              properties: {
                readMs: { type: 'number', description: 'time to assemble this answer from Redis' },
                forecastAgeMs: {
                  type: ['object', 'null'],
                  properties: { median: { type: 'number' }, max: { type: 'number' } },
                },
                latencies: {
                  type: 'array',
                  description: 'p50/p99 per service instance, from its histogram over spanMs before atMs',
                  items: {
                    type: 'object',
                    properties: {
                      service: { type: 'string' },
                      instance: { type: 'string' },
                      name: { type: 'string', description: 'what was timed, e.g. window-update' },
                      description: { type: 'string' },
                      p50Ms: { type: ['number', 'null'] },
                      p99Ms: { type: ['number', 'null'] },
                      count: { type: 'integer', description: 'observations in the span' },
                      spanMs: { type: 'integer' },
                      atMs: { type: 'integer' },
                    },
                  },
                },
              },
            },
          },
        },
        AccuracyRatios: {
          type: 'object',
          description: 'one-step-ahead accuracy; null where the denominator is 0',
          properties: {
            mase: { type: ['number', 'null'], description: 'scaled by the naive (last value) error' },
            wape: { type: ['number', 'null'] },
            coverage90: { type: ['number', 'null'], description: 'share of windows at or under p90' },
            points: { type: 'integer', description: 'windows scored' },
          },
        },
        PredictionAccuracy: {
          type: 'object',
          description: 'forecast accuracy as the forecaster instances last reported it (every few seconds)',
          properties: {
            overall: ref('AccuracyRatios'),
            byModel: {
              type: 'array',
              items: {
                allOf: [ref('AccuracyRatios')],
                type: 'object',
                properties: { model: { type: 'string' } },
              },
            },
            series: {
              type: 'array',
              description: 'series busiest lately (top N per instance), narrowed by cluster and resource',
              items: {
                allOf: [ref('AccuracyRatios')],
                type: 'object',
                properties: {
                  resource: { type: 'string' },
                  cluster: { type: 'string' },
                  model: { type: 'string', description: 'the model in charge now' },
                  volume: { type: 'number', description: 'queries scored so far' },
                  recentVolume: {
                    type: 'number',
                    description: 'queries lately (halving every 12 windows): what ranks series',
                  },
                },
              },
            },
            seriesTracked: { type: 'integer' },
            instances: { type: 'integer' },
            reportedMs: { type: ['integer', 'null'] },
          },
        },
        AuditEntries: {
          type: 'object',
          properties: {
            entries: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  version: { type: 'integer' },
                  who: { type: 'string' },
                  atMs: { type: 'integer' },
                  diff: { type: 'array', items: { type: 'object' } },
                },
              },
            },
          },
        },
      },
    },
  };
}
