import { CacheServerSchema } from '@pdme/common/config';
import { PdmeError } from '@pdme/common/errors';

/** What a stats query may narrow to. Absent fields mean "all". */
export interface StatsFilter {
  readonly cluster?: string;
  readonly resource?: string;
  /** Only mirrors with `sinceMs >= since` (epoch ms). HTTP only: the gRPC request has no such field. */
  readonly since?: number;
  /** Only mirrors with `sinceMs < until` (epoch ms). */
  readonly until?: number;
}

/** One problem with one input field, as API answers list them. */
export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

const FIELDS = new Set(['cluster', 'resource', 'since', 'until']);
/** The same DNS-name rule the config uses for cache hosts. */
const dnsName = CacheServerSchema.shape.host;

/** A BAD_INPUT error whose details carry `fields`, which HTTP and gRPC answers show to the caller. */
export function badInput(what: string, fields: readonly FieldProblem[]): PdmeError {
  const summary = fields.map((f) => `${f.field}: ${f.problem}`).join('; ');
  return new PdmeError('BAD_INPUT', `${what}: ${summary}`, { details: { fields } });
}

function single(field: string, value: unknown, problems: FieldProblem[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) {
    problems.push({ field, problem: 'must be given at most once' });
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.push({ field, problem: 'must be a string' });
    return undefined;
  }
  return value;
}

/** Epoch milliseconds (digits) or an ISO 8601 date-time with a zone, as epoch milliseconds. */
function instant(field: string, value: unknown, problems: FieldProblem[]): number | undefined {
  const text = single(field, value, problems);
  if (text === undefined) return undefined;
  const ms = /^\d{1,15}$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(text)
      ? Date.parse(text)
      : NaN;
  if (Number.isNaN(ms)) {
    problems.push({ field, problem: 'must be epoch milliseconds or an ISO 8601 date-time with a zone' });
    return undefined;
  }
  return ms;
}

/**
 * Validates a stats query from HTTP query parameters or a gRPC request: `cluster` must be a configured
 * cluster, `resource` a DNS name (compared lower-case, without a trailing dot), `since` and `until`
 * instants bounding the mirrors' `sinceMs` (half-open: since <= sinceMs < until). Empty means "all".
 * Unknown parameters are refused so that a typo does not silently widen the answer.
 * Throws a BAD_INPUT PdmeError listing every problem.
 */
export function parseStatsFilter(
  input: Readonly<Record<string, unknown>>,
  clusters: readonly string[],
): StatsFilter {
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key))
      problems.push({ field: key, problem: 'unknown parameter (allowed: cluster, resource, since, until)' });
  }
  const cluster = single('cluster', input['cluster'], problems);
  if (cluster !== undefined && !clusters.includes(cluster)) {
    problems.push({
      field: 'cluster',
      problem: `must be one of the configured clusters: ${clusters.join(', ')}`,
    });
  }
  let resource = single('resource', input['resource'], problems);
  if (resource !== undefined) {
    resource = resource.toLowerCase().replace(/\.$/, '');
    if (!dnsName.safeParse(resource).success)
      problems.push({ field: 'resource', problem: 'must be a DNS name' });
  }
  const since = instant('since', input['since'], problems);
  const until = instant('until', input['until'], problems);
  if (since !== undefined && until !== undefined && since >= until)
    problems.push({ field: 'until', problem: 'must be later than since' });
  if (problems.length > 0) throw badInput('invalid stats query', problems);
  return {
    ...(cluster === undefined ? {} : { cluster }),
    ...(resource === undefined ? {} : { resource }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
  };
}
