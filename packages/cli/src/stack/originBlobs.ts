import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Sized objects at the local origin. A name whose first label carries `-b<KiB>k` (followed by `-` or
 * the next label, e.g. `video-12-b256k-ab12cdp.cdn.pdme.test`) gets a body of that many KiB, so the
 * caches hold real bytes and their capacity binds; any other name keeps the tiny text body. The
 * origin serves pre-generated files, one per size class (powers of two): a name encodes a class, and
 * `sizeClassKiB` rounds a real object size to the nearest one.
 */
export const ORIGIN_BLOB_CLASSES_KIB: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** The size class (KiB) nearest to `bytes` on a log scale; undefined for an unknown size (0, NaN). */
export function sizeClassKiB(bytes: number): number | undefined {
  if (!(bytes > 0)) return undefined;
  const kib = Math.log2(bytes / 1024);
  let best = ORIGIN_BLOB_CLASSES_KIB[0] ?? 1;
  for (const c of ORIGIN_BLOB_CLASSES_KIB)
    if (Math.abs(Math.log2(c) - kib) < Math.abs(Math.log2(best) - kib)) best = c;
  return best;
}

/** The label suffix that makes the origin serve an object of about `bytes` ('' when unknown). */
export function sizeSuffix(bytes: number): string {
  const kib = sizeClassKiB(bytes);
  return kib === undefined ? '' : `-b${kib}k`;
}

/** The nginx regex alternation of the classes (origin.conf's `map $host`). */
export function blobClassPattern(): string {
  return ORIGIN_BLOB_CLASSES_KIB.join('|');
}

/** Writes one file per class (`b<KiB>k`, filled with "a": only the size matters) unless present. */
export function writeOriginBlobs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const kib of ORIGIN_BLOB_CLASSES_KIB) {
    const file = join(dir, `b${kib}k`);
    const size = statSync(file, { throwIfNoEntry: false })?.size;
    if (size !== kib * 1024) writeFileSync(file, Buffer.alloc(kib * 1024, 0x61));
  }
}
