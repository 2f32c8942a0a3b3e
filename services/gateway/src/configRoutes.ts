import type { Authenticator } from '@pdme/common/auth';
import { PdmeError } from '@pdme/common/errors';
import type { Logger } from '@pdme/common/logging';
import type { Request, RequestHandler, Response, Router } from 'express';
import { ifMatchHits, ifNoneMatchHits } from './canonicalJson.js';
import { configDiff } from './configDiff.js';
import type { ConfigSource, ConfigView } from './configStore.js';
import { validateConfigDocument } from './configValidation.js';
import { principalOf, requireScope } from './httpAuth.js';
import { jsonBody } from './jsonBody.js';
import { applyMergePatch } from './mergePatch.js';
import { badInput } from './statsFilter.js';

export const CONFIG_VERSION_HEADER = 'Pdme-Config-Version';

export interface ConfigRouteDeps {
  readonly store: ConfigSource;
  readonly auth: Authenticator | undefined;
  readonly logger: Logger;
  /** Limits config writes per principal. */
  readonly writeLimiter: RequestHandler;
  readonly readLimiter: RequestHandler;
}

function sendView(res: Response, view: ConfigView): void {
  res.set({ ETag: view.etag, [CONFIG_VERSION_HEADER]: String(view.version), 'Cache-Control': 'no-cache' });
  res.type('application/json').send(view.body);
}

/** 428 when If-Match is missing (lost updates are not an option), 412 when it names another version. */
function checkIfMatch(req: Request, current: ConfigView): void {
  const header = req.get('if-match');
  if (header === undefined || header.trim() === '') {
    throw new PdmeError('PRECONDITION_FAILED', 'If-Match is required: send the ETag of GET /pdme/config', {
      details: { httpStatus: 428 },
    });
  }
  if (!ifMatchHits(header, current.etag)) {
    throw new PdmeError('PRECONDITION_FAILED', 'If-Match does not match the current config: GET it again', {
      details: { currentVersion: current.version },
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** GET, PUT and PATCH (RFC 7396 merge patch) of /pdme/config, and GET /pdme/config/audit. */
export function addConfigRoutes(app: Router, deps: ConfigRouteDeps): void {
  const { store, auth, logger } = deps;
  const read = requireScope(auth, 'pdme:read');
  const admin = requireScope(auth, 'pdme:admin');

  app.get('/pdme/config', read, deps.readLimiter, async (req, res) => {
    const view = await store.current();
    if (ifNoneMatchHits(req.get('if-none-match'), view.etag)) {
      res.set({
        ETag: view.etag,
        [CONFIG_VERSION_HEADER]: String(view.version),
        'Cache-Control': 'no-cache',
      });
      res.status(304).end();
      return;
    }
    sendView(res, view);
  });

  const change = (compute: (current: ConfigView, body: unknown) => unknown): RequestHandler => {
    return async (req, res) => {
      const body: unknown = req.body;
      if (!isObject(body)) {
        throw badInput('invalid config', [{ field: '(body)', problem: 'must be a JSON object' }]);
      }
      const current = await store.current();
      checkIfMatch(req, current);
      const config = validateConfigDocument(compute(current, body));
      const diff = configDiff(current.config, config);
      if (diff.length === 0) {
        sendView(res, current); // nothing changed: no new version, no audit entry
        return;
      }
      const who = principalOf(res).subject;
      const next = await store.replace({ baseVersion: current.version, config, who, diff });
      logger.info(
        {
          event: 'gateway.config.changed',
          version: next.version,
          who,
          paths: diff.map((d) => d.path).slice(0, 50),
        },
        'config changed',
      );
      sendView(res, next);
    };
  };

  app.put(
    '/pdme/config',
    admin,
    deps.writeLimiter,
    jsonBody(),
    change((_current, body) => body),
  );
  app.patch(
    '/pdme/config',
    admin,
    deps.writeLimiter,
    jsonBody(),
    change((current, body) => applyMergePatch(current.config, body)),
  );

  app.get('/pdme/config/audit', admin, deps.readLimiter, async (req, res) => {
    const limitText = typeof req.query['limit'] === 'string' ? req.query['limit'] : '20';
    const limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= 1000)) {
      throw badInput('invalid audit query', [{ field: 'limit', problem: 'must be an integer 1..1000' }]);
    }
    res.set('Cache-Control', 'no-store').json({ entries: await store.audit(limit) });
  });
}
