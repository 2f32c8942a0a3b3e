import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, etagOf, ifNoneMatchHits } from './canonicalJson.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives equal text for equal documents whatever the key order', () => {
    expect(canonicalJson({ x: 1, y: [1, 2] })).toBe(canonicalJson({ y: [1, 2], x: 1 }));
  });

  it('drops undefined members like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });
});

describe('etagOf / ifNoneMatchHits', () => {
  const etag = etagOf('{"a":1}');

  it('is the quoted sha256 hex', () => {
    expect(etag).toBe(`"${createHash('sha256').update('{"a":1}').digest('hex')}"`);
  });

  it('matches exact, weak, listed and * tags', () => {
    expect(ifNoneMatchHits(etag, etag)).toBe(true);
    expect(ifNoneMatchHits(`W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits(`"other", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits('*', etag)).toBe(true);
  });

  it('does not match other or missing tags', () => {
    expect(ifNoneMatchHits(undefined, etag)).toBe(false);
    expect(ifNoneMatchHits('"other"', etag)).toBe(false);
  });
});
