import type { Principal } from '@pdme/common/auth';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

export interface RateLimitSettings {
  /** Reads per minute per principal. */
  readonly readsPerMinute: number;
  /** Writes (config changes, events) per minute per principal. */
  readonly writesPerMinute: number;
  /** Failed authentications (401) per minute per client address: slows down key guessing. */
  readonly authFailuresPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  readsPerMinute: 120_000,
  writesPerMinute: 60,
  authFailuresPerMinute: 60,
};

function principalKey(locals: Record<string, unknown>, ipKey: string): string {
  const principal = locals['principal'] as Principal | undefined;
  return principal !== undefined ? principal.subject : `ip:${ipKey}`;
}

const tooMany: RequestHandler = (_req, res) => {
  res.status(429).json({ error: { code: 'RATE_LIMITED', message: 'too many requests; retry later' } });
};

/** Per-principal limiter; mount after `requireScope` so the principal is known. */
export function principalLimiter(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req, res) => principalKey(res.locals, ipKeyGenerator(req.ip ?? '')),
    handler: tooMany,
  });
}

/** Counts only 401 answers per client address; once over the limit, every request is refused. */
export function authFailureLimiter(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? '')}`,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    skipSuccessfulRequests: true,
    handler: tooMany,
  });
}
