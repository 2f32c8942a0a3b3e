import { Metadata, status } from '@grpc/grpc-js';
import { PDME_ERROR_CODES, PdmeError, type PdmeErrorCode } from '@pdme/common/errors';
import { describe, expect, it } from 'vitest';
import { grpcErrorStatus, grpcStatusFor, httpErrorResponse, httpStatusFor } from './errorMapping.js';
import { badInput } from './statsFilter.js';

describe('httpStatusFor', () => {
  it.each<[PdmeErrorCode, number]>([
    ['BAD_INPUT', 400],
    ['UNAUTHORIZED', 401],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['CONFLICT', 409],
    ['PRECONDITION_FAILED', 412],
    ['UNAVAILABLE', 503],
    ['INTERNAL', 500],
    ['CONFIG_INVALID', 500],
    ['TIMEOUT', 500],
  ])('%s -> %i', (code, expected) => {
    expect(httpStatusFor(code)).toBe(expected);
  });

  it('maps every code to a status', () => {
    for (const code of PDME_ERROR_CODES) expect(httpStatusFor(code)).toBeGreaterThanOrEqual(400);
  });
});

describe('httpErrorResponse', () => {
  it('keeps message and fields of a BAD_INPUT error', () => {
    const { status: code, body } = httpErrorResponse(
      badInput('invalid', [{ field: 'cluster', problem: 'unknown' }]),
    );
    expect(code).toBe(400);
    expect(body).toEqual({
      error: {
        code: 'BAD_INPUT',
        message: 'invalid: cluster: unknown',
        fields: [{ field: 'cluster', problem: 'unknown' }],
      },
    });
  });

  it('keeps the message of other mapped codes', () => {
    expect(httpErrorResponse(new PdmeError('UNAVAILABLE', 'stats store unavailable'))).toEqual({
      status: 503,
      body: { error: { code: 'UNAVAILABLE', message: 'stats store unavailable' } },
    });
  });

  it.each([
    new Error('ECONNREFUSED 10.1.2.3:6379 at Socket.connect (/srv/app/node_modules/x.js:1:1)'),
    new PdmeError('INTERNAL', 'secret internals'),
    new PdmeError('CONFIG_INVALID', '/etc/pdme/keys/tsig.key unreadable'),
    'a string',
    undefined,
  ])('hides internals of %s', (error) => {
    expect(httpErrorResponse(error)).toEqual({
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'internal error' } },
    });
  });
});

describe('grpc mapping', () => {
  it('maps BAD_INPUT to INVALID_ARGUMENT with the message and the code in a trailer', () => {
    const result = grpcErrorStatus(
      badInput('invalid stats query', [{ field: 'cluster', problem: 'unknown' }]),
    );
    expect(result.code).toBe(status.INVALID_ARGUMENT);
    expect(result.details).toBe('invalid stats query: cluster: unknown');
    expect(result.metadata).toBeInstanceOf(Metadata);
    expect(result.metadata.get('pdme-error-code')).toEqual(['BAD_INPUT']);
  });

  it('maps the other codes', () => {
    expect(grpcStatusFor('UNAVAILABLE')).toBe(status.UNAVAILABLE);
    expect(grpcStatusFor('NOT_FOUND')).toBe(status.NOT_FOUND);
    expect(grpcStatusFor('UNAUTHORIZED')).toBe(status.UNAUTHENTICATED);
    expect(grpcStatusFor('FORBIDDEN')).toBe(status.PERMISSION_DENIED);
    expect(grpcStatusFor('PRECONDITION_FAILED')).toBe(status.FAILED_PRECONDITION);
    expect(grpcStatusFor('INTERNAL')).toBe(status.INTERNAL);
  });

  it('hides internals', () => {
    expect(grpcErrorStatus(new Error('boom at /srv/x.js'))).toMatchObject({
      code: status.INTERNAL,
      details: 'internal error',
    });
  });
});
