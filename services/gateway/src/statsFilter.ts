import { CacheServerSchema } from '@pdme/common/config';
import { PdmeError } from '@pdme/common/errors';

/** What a stats query may narrow to. Absent fields mean "all". */
export interface StatsFilter {
  readonly cluster?: string;
  readonly resource?: string;
}

/** One problem with one input field, as API answers list them. */
export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

const FIELDS = new Set(['cluster', 'resource']);
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

/**
 * Validates a stats query from HTTP query parameters or a gRPC request: `cluster` must be a configured
 * cluster, `resource` a DNS name (compared lower-case, without a trailing dot). Empty means "all".
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
      problems.push({ field: key, problem: 'unknown parameter (allowed: cluster, resource)' });
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
  if (problems.length > 0) throw badInput('invalid stats query', problems);
  return {
    ...(cluster === undefined ? {} : { cluster }),
    ...(resource === undefined ? {} : { resource }),
  };
}
