import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { PdmeError, errorMessage } from '../errors/index.js';
import { isScope, type Principal, type Scope } from './scopes.js';

export interface JwtSettings {
  /** HS256 shared secret (raw bytes). */
  readonly hs256Secret?: Uint8Array;
  /** A JWKS document (public keys) for RS256/ES256/EdDSA tokens. */
  readonly jwks?: JSONWebKeySet;
  readonly issuer?: string;
  readonly audience?: string;
}

/** Verifies a bearer JWT and returns its principal; throws UNAUTHORIZED when it does not verify. */
export type JwtVerifier = (token: string) => Promise<Principal>;

/** Scopes from the OAuth `scope` claim (space separated) or `scp` (array); unknown ones are ignored. */
function scopesOf(payload: JWTPayload): Scope[] {
  const scope = payload['scope'];
  const scp = payload['scp'];
  const names =
    typeof scope === 'string'
      ? scope.split(' ')
      : Array.isArray(scp)
        ? scp.filter((s): s is string => typeof s === 'string')
        : [];
  return [...new Set(names.filter(isScope))];
}

/** Reads the settings' files: a secret file (its trimmed text is the HS256 key) and/or a JWKS file. */
export function loadJwtSettings(files: {
  secretFile?: string;
  jwksFile?: string;
  issuer?: string;
  audience?: string;
}): JwtSettings | undefined {
  if (files.secretFile === undefined && files.jwksFile === undefined) return undefined;
  try {
    return {
      ...(files.secretFile === undefined
        ? {}
        : { hs256Secret: new TextEncoder().encode(readFileSync(files.secretFile, 'utf8').trim()) }),
      ...(files.jwksFile === undefined
        ? {}
        : { jwks: JSON.parse(readFileSync(files.jwksFile, 'utf8')) as JSONWebKeySet }),
      ...(files.issuer === undefined ? {} : { issuer: files.issuer }),
      ...(files.audience === undefined ? {} : { audience: files.audience }),
    };
  } catch (error) {
    throw new PdmeError('CONFIG_INVALID', `cannot read JWT key material: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

export function jwtVerifier(settings: JwtSettings): JwtVerifier {
  const jwks = settings.jwks === undefined ? undefined : createLocalJWKSet(settings.jwks);
  const options = {
    ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
    ...(settings.audience === undefined ? {} : { audience: settings.audience }),
  };
  const payloadOf = async (token: string): Promise<JWTPayload> => {
    if (jwks) {
      return (await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'ES256', 'EdDSA'] })).payload;
    }
    if (settings.hs256Secret) {
      return (await jwtVerify(token, settings.hs256Secret, { ...options, algorithms: ['HS256'] })).payload;
    }
    throw new PdmeError('UNAUTHORIZED', 'JWT authentication is not configured');
  };
  return async (token) => {
    let payload: JWTPayload;
    try {
      payload = await payloadOf(token);
    } catch (error) {
      if (error instanceof PdmeError) throw error;
      const reason = error instanceof joseErrors.JOSEError ? error.code : 'invalid token';
      throw new PdmeError('UNAUTHORIZED', `invalid token (${reason})`, { cause: error });
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new PdmeError('UNAUTHORIZED', 'token has no subject');
    }
    return { subject: `jwt:${payload.sub}`, scopes: scopesOf(payload), via: 'jwt' };
  };
}
