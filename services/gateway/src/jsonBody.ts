import express, { type RequestHandler } from 'express';
import { badInput } from './statsFilter.js';
import { PdmeError } from '@pdme/common/errors';

const JSON_TYPES = ['application/json', 'application/merge-patch+json'];

/**
 * express.json for our JSON media types, with its parse errors turned into BAD_INPUT naming the
 * body, and a missing or other media type refused the same way (instead of an empty body).
 */
export function jsonBody(limit = '1mb'): RequestHandler {
  const parse = express.json({ type: JSON_TYPES, limit, strict: true });
  return (req, res, next) => {
    if (!req.is(JSON_TYPES)) {
      next(
        badInput('invalid request', [
          { field: '(body)', problem: `Content-Type must be one of ${JSON_TYPES.join(', ')}` },
        ]),
      );
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) {
        next();
        return;
      }
      const type = (error as { type?: unknown }).type;
      if (type === 'entity.too.large') {
        next(badInput('invalid request', [{ field: '(body)', problem: `must be at most ${limit}` }]));
      } else if (type === 'entity.parse.failed') {
        next(badInput('invalid request', [{ field: '(body)', problem: 'is not valid JSON' }]));
      } else {
        next(new PdmeError('BAD_INPUT', 'unreadable request body', { cause: error }));
      }
    });
  };
}
