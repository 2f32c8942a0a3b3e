import { PdmeError } from '../errors/index.js';
import { looksLikeApiKey, type ApiKeyStore } from './apiKeys.js';
import type { JwtVerifier } from './jwt.js';
import { grants, type Principal, type Scope } from './scopes.js';

/**
 * The token a request presents: `Authorization: Bearer <key or JWT>` or `x-api-key: <key>` (HTTP
 * headers and gRPC metadata alike). Undefined when neither is there.
 */
export function presentedToken(
  authorization: string | undefined,
  apiKey: string | undefined,
): string | undefined {
  if (apiKey !== undefined && apiKey.trim() !== '') return apiKey.trim();
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

export interface AuthenticatorDeps {
  readonly keys: ApiKeyStore;
  /** JWTs are refused when no verifier is configured. */
  readonly jwt?: JwtVerifier;
}

/** Turns a presented token into a principal (UNAUTHORIZED otherwise) and checks scopes (FORBIDDEN). */
export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined) {
      throw new PdmeError('UNAUTHORIZED', 'credentials required: Authorization: Bearer <key or JWT>');
    }
    if (looksLikeApiKey(token)) {
      const principal = await this.deps.keys.verify(token);
      if (principal === undefined) throw new PdmeError('UNAUTHORIZED', 'unknown or revoked API key');
      return principal;
    }
    if (this.deps.jwt === undefined) throw new PdmeError('UNAUTHORIZED', 'unknown or revoked API key');
    return this.deps.jwt(token);
  }

  /** Authenticates and requires a scope in one step. */
  async require(token: string | undefined, scope: Scope): Promise<Principal> {
    const principal = await this.authenticate(token);
    if (!grants(principal, scope)) {
      throw new PdmeError('FORBIDDEN', `this needs the ${scope} scope`);
    }
    return principal;
  }
}
