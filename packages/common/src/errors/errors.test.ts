import { describe, expect, it } from 'vitest';
import { PdmeError, toPdmeError } from './index.js';

describe('toPdmeError', () => {
  it('keeps a PdmeError as it is', () => {
    const error = new PdmeError('BAD_INPUT', 'bad');
    expect(toPdmeError(error)).toBe(error);
  });

  it('treats connection failures as retryable and keeps the cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    const wrapped = toPdmeError(cause);
    expect(wrapped.code).toBe('UNAVAILABLE');
    expect(wrapped.retryable).toBe(true);
    expect(wrapped.cause).toBe(cause);
  });

  it('treats other errors as internal, not retryable', () => {
    const wrapped = toPdmeError(new TypeError('x is undefined'));
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.retryable).toBe(false);
    expect(toPdmeError('text').message).toBe('text');
  });
});
