import { describe, expect, it } from 'vitest';

import {
  DNS_UPDATE_ERROR_CODES,
  DnsUpdateError,
  formatServer,
  isRetryableCode,
  rcodeToErrorCode,
} from './errors.js';

describe('DnsUpdateError', () => {
  it('marks only transient failures retryable', () => {
    const retryable = DNS_UPDATE_ERROR_CODES.filter(isRetryableCode);
    expect(retryable).toEqual(['SERVFAIL', 'TIMEOUT', 'NETWORK']);
  });

  it('maps header RCODEs', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(rcodeToErrorCode)).toEqual([
      'FORMERR',
      'SERVFAIL',
      'NXDOMAIN',
      'NOTIMP',
      'REFUSED',
      'YXDOMAIN',
      'YXRRSET',
      'NXRRSET',
      'NOTAUTH',
      'NOTZONE',
      'BAD_RESPONSE',
    ]);
  });

  it('carries context', () => {
    const err = new DnsUpdateError('NXRRSET', 'boom', { server: '::1', port: 53, zone: 'z', rcode: 8 });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'DnsUpdateError',
      code: 'NXRRSET',
      retryable: false,
      zone: 'z',
      rcode: 8,
    });
    expect(formatServer('::1', 53)).toBe('[::1]:53');
    expect(formatServer('127.0.0.1', 53)).toBe('127.0.0.1:53');
  });
});
