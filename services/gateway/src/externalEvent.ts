import { randomUUID } from 'node:crypto';
import { CacheServerSchema, z } from '@pdme/common/config';
import type { ExternalEvent } from '@pdme/common/proto';
import { fieldProblems } from './configValidation.js';
import { badInput } from './statsFilter.js';

const dnsName = CacheServerSchema.shape.host;
/** The resource-name globs of the config (`*` within a label, `**` across labels). */
const pattern = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9*_.-]+$/i, 'must be a name pattern of letters, digits, -, _, . and *');
const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

/** The JSON body of POST /pdme/events (camelCase fields of the ExternalEvent proto). */
export const ExternalEventInputSchema = z
  .strictObject({
    /** Chosen by the caller so a retried POST is recognisable downstream; generated when absent. */
    eventId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1..128 of A-Z a-z 0-9 . _ : -')
      .optional(),
    source: z.string().min(1).max(200),
    resources: z.array(dnsName).max(1000).default([]),
    patterns: z.array(pattern).max(100).default([]),
    /** Empty means every cluster. */
    clusters: z.array(z.string()).max(100).default([]),
    /** Expected demand multiplier over the baseline (1 = no change). */
    intensity: z.number().positive().max(10_000),
    startMs: epochMs,
    endMs: epochMs,
  })
  .superRefine((event, ctx) => {
    if (event.resources.length === 0 && event.patterns.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['resources'], message: 'give at least one resource or pattern' });
    }
    if (event.endMs <= event.startMs) {
      ctx.addIssue({ code: 'custom', path: ['endMs'], message: 'must be after startMs' });
    }
  });

/**
 * Validates a posted event: every bad field is named (BAD_INPUT); clusters must be configured ones;
 * resource names are lower-cased without a trailing dot, as ingest normalizes query names.
 */
export function parseExternalEvent(body: unknown, clusters: readonly string[]): ExternalEvent {
  const normalized =
    typeof body === 'object' && body !== null && Array.isArray((body as Record<string, unknown>)['resources'])
      ? {
          ...body,
          resources: ((body as Record<string, unknown>)['resources'] as unknown[]).map((r) =>
            typeof r === 'string' ? r.toLowerCase().replace(/\.$/, '') : r,
          ),
        }
      : body;
  const result = ExternalEventInputSchema.safeParse(normalized);
  const fields = result.success ? [] : fieldProblems(result.error.issues, '(body)');
  if (result.success) {
    result.data.clusters.forEach((cluster, i) => {
      if (!clusters.includes(cluster)) {
        fields.push({ field: `clusters.${i}`, problem: `must be one of ${clusters.join(', ')}` });
      }
    });
  }
  if (!result.success || fields.length > 0) throw badInput('invalid event', fields);
  const event = result.data;
  return {
    eventId: event.eventId ?? randomUUID(),
    source: event.source,
    resources: event.resources,
    patterns: event.patterns,
    clusters: event.clusters,
    intensity: event.intensity,
    startMs: event.startMs,
    endMs: event.endMs,
  };
}
