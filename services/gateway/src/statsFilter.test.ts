import { PdmeError } from '@pdme/common/errors';
import { describe, expect, it } from 'vitest';
import { parseStatsFilter, type FieldProblem } from './statsFilter.js';

const clusters = ['eu', 'us'];

function problems(input: Record<string, unknown>): FieldProblem[] {
  try {
    parseStatsFilter(input, clusters);
  } catch (error) {
    if (error instanceof PdmeError && error.code === 'BAD_INPUT')
      return error.details['fields'] as FieldProblem[];
    throw error;
  }
  throw new Error('expected BAD_INPUT');
}

describe('parseStatsFilter', () => {
  it('accepts no filter, a cluster, a resource, or both', () => {
    expect(parseStatsFilter({}, clusters)).toEqual({});
    expect(parseStatsFilter({ cluster: 'eu' }, clusters)).toEqual({ cluster: 'eu' });
    expect(parseStatsFilter({ resource: 'a.video.example.com' }, clusters)).toEqual({
      resource: 'a.video.example.com',
    });
    expect(parseStatsFilter({ cluster: 'us', resource: 'x.example.com' }, clusters)).toEqual({
      cluster: 'us',
      resource: 'x.example.com',
    });
  });

  it('treats empty values as absent (as proto3 does)', () => {
    expect(parseStatsFilter({ cluster: '', resource: '' }, clusters)).toEqual({});
  });

  it('normalises the resource: lower case, no trailing dot', () => {
    expect(parseStatsFilter({ resource: 'A.Video.Example.COM.' }, clusters)).toEqual({
      resource: 'a.video.example.com',
    });
  });

  it('refuses an unknown cluster, naming the field and the allowed values', () => {
    const [problem, ...rest] = problems({ cluster: 'mars' });
    expect(rest).toEqual([]);
    expect(problem?.field).toBe('cluster');
    expect(problem?.problem).toContain('eu, us');
  });

  it.each(['not a name', '-bad.example.com', 'a..b', 'x'.repeat(64) + '.com', 'a/b', '*.example.com'])(
    'refuses resource %j',
    (resource) => {
      expect(problems({ resource })).toEqual([{ field: 'resource', problem: 'must be a DNS name' }]);
    },
  );

  it('refuses repeated and non-string parameters', () => {
    expect(problems({ cluster: ['eu', 'us'] })).toEqual([
      { field: 'cluster', problem: 'must be given at most once' },
    ]);
    expect(problems({ resource: { nested: 'x' } })).toEqual([
      { field: 'resource', problem: 'must be a string' },
    ]);
  });

  it('refuses unknown parameters and reports every problem together', () => {
    const found = problems({ clustr: 'eu', cluster: 'mars', resource: 'bad name' });
    expect(found.map((p) => p.field).sort()).toEqual(['cluster', 'clustr', 'resource']);
  });

  it('reads since and until as epoch milliseconds or ISO 8601 date-times', () => {
    expect(parseStatsFilter({ since: '1700000000000', until: '2023-11-14T22:20:00Z' }, clusters)).toEqual({
      since: 1_700_000_000_000,
      until: 1_700_000_400_000,
    });
    expect(parseStatsFilter({ since: '2023-11-14T23:13:20.000+01:00' }, clusters)).toEqual({
      since: 1_700_000_000_000,
    });
  });

  it.each(['yesterday', '-5', '1.5', '2023-11-14', '2023-11-14T22:20:00', '2023-13-45T99:99:99Z'])(
    'refuses since %j',
    (since) => {
      expect(problems({ since }).map((p) => p.field)).toEqual(['since']);
    },
  );

  it('refuses an empty range (until not after since)', () => {
    expect(problems({ since: '2000', until: '2000' })).toEqual([
      { field: 'until', problem: 'must be later than since' },
    ]);
  });
});
