import { presentedToken, type Authenticator, type Principal, type Scope } from '@pdme/common/auth';
import { PdmeError } from '@pdme/common/errors';
import type { RequestHandler, Response } from 'express';

/** With auth off (GATEWAY_AUTH=off, local development only) every caller is this principal. */
export const ANONYMOUS: Principal = { subject: 'anonymous', scopes: ['pdme:admin'], via: 'anonymous' };

const LOCALS_KEY = 'principal';

/** The principal `requireScope` established for this request. */
export function principalOf(res: Response): Principal {
  const value: unknown = res.locals[LOCALS_KEY];
  if (typeof value === 'object' && value !== null && 'subject' in value) return value as Principal;
  throw new PdmeError('INTERNAL', 'route has no principal: requireScope missing');
}

/**
 * Authenticates the request (`Authorization: Bearer` or `x-api-key`) and requires a scope:
 * 401 without valid credentials, 403 without the scope. `auth` undefined means auth is off.
 */
export function requireScope(auth: Authenticator | undefined, scope: Scope): RequestHandler {
  return async (req, res, next) => {
    if (auth === undefined) {
      res.locals[LOCALS_KEY] = ANONYMOUS;
      next();
      return;
    }
    const token = presentedToken(req.get('authorization'), req.get('x-api-key'));
    const principal = await auth.require(token, scope);
    res.locals[LOCALS_KEY] = principal;
    next();
  };
}
