import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheMaxSize, CACHE_MAX_SIZE } from './caches.js';
import {
  blobClassPattern,
  ORIGIN_BLOB_CLASSES_KIB,
  sizeClassKiB,
  sizeSuffix,
  writeOriginBlobs,
} from './originBlobs.js';
import { renderDeployTemplate } from './template.js';

/** The origin's `map $host` regex as rendered, run as a JS RegExp (the pattern is PCRE and JS alike). */
function originBlobOf(host: string): string {
  const config = renderDeployTemplate('local/nginx/origin.conf', {
    name: 'origin',
    prefix: '/p',
    listen_address: '127.0.0.1',
    listen_port: 1,
    access_log: '/p/a.log',
    blob_dir: '/p/blobs',
    blob_classes: blobClassPattern(),
  });
  const line = /"~(.+)" "b\$1k";/.exec(config);
  if (line?.[1] === undefined) throw new Error('origin.conf has no size-class map entry');
  const match = new RegExp(line[1]).exec(host);
  return match === null ? '' : `b${match[1] ?? ''}k`;
}

describe('origin size classes', () => {
  it('rounds a size to the nearest class on a log scale', () => {
    expect(sizeClassKiB(1)).toBe(1);
    expect(sizeClassKiB(10_000)).toBe(8);
    expect(sizeClassKiB(12_000)).toBe(16);
    expect(sizeClassKiB(200_000)).toBe(256);
    expect(sizeClassKiB(50e6)).toBe(1024);
    expect(sizeClassKiB(0)).toBeUndefined();
    expect(sizeSuffix(Number.NaN)).toBe('');
    expect(sizeSuffix(65_536)).toBe('-b64k');
  });

  it('serves a class only for names that carry one in their first label', () => {
    expect(originBlobOf('video-12-b256k-ab12cdp.cdn.pdme.test')).toBe('b256k');
    expect(originBlobOf('v123-b1k.cdn.pdme.test')).toBe('b1k');
    expect(originBlobOf('v123-b1024k.cdn.pdme.test')).toBe('b1024k');
    expect(originBlobOf('v123-b3k.cdn.pdme.test')).toBe('');
    expect(originBlobOf('video-12-ab12cdp.cdn.pdme.test')).toBe('');
    expect(originBlobOf('video.x-b64k.cdn.pdme.test')).toBe('');
  });

  it('writes one file of the exact size per class', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pdme-blobs-'));
    try {
      writeOriginBlobs(dir);
      for (const kib of ORIGIN_BLOB_CLASSES_KIB)
        expect(statSync(join(dir, `b${kib}k`)).size).toBe(kib * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the caches max_size from PDME_CACHE_MAX_SIZE when valid', () => {
    expect(cacheMaxSize({})).toBe(CACHE_MAX_SIZE);
    expect(cacheMaxSize({ PDME_CACHE_MAX_SIZE: '1g' })).toBe('1g');
    expect(() => cacheMaxSize({ PDME_CACHE_MAX_SIZE: '1 gig' })).toThrow(/PDME_CACHE_MAX_SIZE/);
  });
});
