import type { Authenticator } from '@pdme/common/auth';
import { errorMessage } from '@pdme/common/errors';
import type { Logger } from '@pdme/common/logging';
import { histogram, type Registry } from '@pdme/common/metrics';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { addConfigRoutes } from './configRoutes.js';
import type { ConfigSource } from './configStore.js';
import { httpErrorResponse, publicError } from './errorMapping.js';
import { addEventRoutes, type EventSink } from './eventRoutes.js';
import { requireScope } from './httpAuth.js';
import { openApiDocument } from './openapi.js';
import {
  authFailureLimiter,
  DEFAULT_RATE_LIMITS,
  principalLimiter,
  type RateLimitSettings,
} from './rateLimits.js';
import { parseStatsFilter } from './statsFilter.js';
import type { StatsSource } from './statsReader.js';
import { addStatusPage, CONTENT_SECURITY_POLICY } from './statusPage.js';

export interface HttpAppDeps {
  readonly reader: StatsSource;
  /** The live config (Redis in production). */
  readonly configStore: ConfigSource;
  /** External events go here (Kafka in production). */
  readonly events: EventSink;
  /** Undefined turns authentication off (GATEWAY_AUTH=off, local development only). */
  readonly auth: Authenticator | undefined;
  readonly rateLimits?: RateLimitSettings;
  readonly logger: Logger;
  /** When given, request durations land in `pdme_gateway_http_request_duration_seconds`. */
  readonly registry?: Registry;
  /** Backs /readyz on the API port; the ops server has its own. Default: always ready. */
  readonly isReady?: () => boolean;
}

/** Bounded route label for metrics: the matched route pattern, never the raw path. */
function routeOf(route: unknown): string {
  if (typeof route === 'object' && route !== null) {
    const path: unknown = (route as Record<string, unknown>)['path'];
    if (typeof path === 'string') return path;
  }
  return 'unmatched';
}

function requestLog(logger: Logger, registry: Registry | undefined): RequestHandler {
  const durations = registry
    ? histogram(registry, 'pdme_gateway_http_request_duration_seconds', 'HTTP API request duration', [
        'method',
        'route',
        'status',
      ])
    : undefined;
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const { method, path } = req;
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.statusCode;
      // Deliberately no client address, headers or query string.
      logger.info(
        { event: 'gateway.http.request', method, path, status, ms: Math.round(seconds * 1e6) / 1e3 },
        'http request',
      );
      durations?.observe({ method, route: routeOf(req.route), status: String(status) }, seconds);
    });
    next();
  };
}

/**
 * The gateway's HTTP API (Express 5): stats, live config and external events, behind API keys or
 * JWTs (pdme:read, pdme:admin), rate limits and helmet's security headers.
 * Async handlers may throw; Express 5 forwards rejections to the error middleware, which maps
 * PdmeError codes to HTTP statuses.
 */
export function createHttpApp(deps: HttpAppDeps): Express {
  const { reader, logger } = deps;
  const isReady = deps.isReady ?? (() => true);
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet({ contentSecurityPolicy: CONTENT_SECURITY_POLICY }));
  // We set a strong ETag where it means something (/pdme/config); no weak body hashes elsewhere.
  app.set('etag', false);

  app.use(requestLog(logger, deps.registry));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const ready = isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready' });
  });

  const limits = deps.rateLimits ?? DEFAULT_RATE_LIMITS;
  const readLimiter = principalLimiter(limits.readsPerMinute);
  const writeLimiter = principalLimiter(limits.writesPerMinute);
  const openApi = JSON.stringify(openApiDocument());
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openApi);
  });
  addStatusPage(app);

  app.use(authFailureLimiter(limits.authFailuresPerMinute));
  app.get('/pdme/stats', requireScope(deps.auth, 'pdme:read'), readLimiter, async (req, res) => {
    const filter = parseStatsFilter(req.query, reader.clusters);
    const snapshot = await reader.read(filter);
    res.set('Cache-Control', 'no-store').json(snapshot);
  });
  addConfigRoutes(app, { store: deps.configStore, auth: deps.auth, logger, readLimiter, writeLimiter });
  addEventRoutes(app, {
    sink: deps.events,
    auth: deps.auth,
    clusters: () => reader.clusters,
    logger,
    writeLimiter,
  });

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `no route for ${req.method} ${req.path}` } });
  });

  const onError: ErrorRequestHandler = (error: unknown, req, res, next) => {
    const { status, body } = httpErrorResponse(error);
    if (!publicError(error).exposed) {
      logger.error(
        { event: 'gateway.http.error', method: req.method, path: req.path, error: errorMessage(error) },
        'request failed',
      );
    } else if (status >= 500) {
      logger.warn(
        { event: 'gateway.http.unavailable', method: req.method, path: req.path, error: errorMessage(error) },
        'request failed',
      );
    }
    if (res.headersSent) {
      next(error);
      return;
    }
    res.status(status).json(body);
  };
  app.use(onError);
  return app;
}
