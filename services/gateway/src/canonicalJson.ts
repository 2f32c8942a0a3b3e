import { createHash } from 'node:crypto';

function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      if (record[key] !== undefined) sorted[key] = canonicalize(record[key]);
    }
    return sorted;
  }
  return value;
}

/** JSON with object keys sorted at every depth and no whitespace, so equal documents give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

/** A strong ETag (quoted) for a text: the hex sha256 of its UTF-8 bytes. */
export function etagOf(text: string): string {
  return `"${createHash('sha256').update(text, 'utf8').digest('hex')}"`;
}

/**
 * Whether an If-None-Match header matches the ETag (RFC 9110 weak comparison: `W/` is ignored;
 * `*` matches anything; the header may list several tags).
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = strip(etag);
  return header.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === '*' || strip(candidate) === wanted;
  });
}

/**
 * Whether an If-Match header matches the current ETag (RFC 9110 strong comparison: weak tags never
 * match; `*` matches any current representation).
 */
export function ifMatchHits(header: string, etag: string): boolean {
  return header.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === '*' || candidate === etag;
  });
}
