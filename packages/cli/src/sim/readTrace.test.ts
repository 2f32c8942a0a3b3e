import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTrace } from './readTrace.js';

const dir = mkdtempSync(join(tmpdir(), 'pdme-trace-'));
const write = (name: string, text: string, gzip = false): string => {
  const path = join(dir, name);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
};

describe('readTrace', () => {
  it('reads a gzip trace, ignores extra columns, uses client_group as the cluster', async () => {
    const csv = 'ts,method,resource,bytes,client_group\n10.5,GET,/a,100,1\n11,GET,/b,,2\n12,GET,/a,300,1\n';
    const trace = await readTrace(write('t.csv.gz', csv, true));
    expect(trace.report).toMatchObject({ rows: 3, kept: 3, malformed: 0, clusterColumn: 'client_group' });
    expect([...trace.tsMs]).toEqual([10_500, 11_000, 12_000]);
    expect(trace.objectNames).toEqual(['/a', '/b']);
    expect(trace.clusterNames).toEqual(['1', '2']);
    // /a's size is the largest seen; /b has none, so it gets the median known size.
    expect([...trace.objectSize]).toEqual([300, 300]);
    expect([...trace.bytes]).toEqual([100, 300, 300]);
  });

  it('counts malformed rows and sorts unsorted ones instead of failing', async () => {
    const csv = [
      'resource,ts,cluster',
      '/a,5,c1',
      '/b,not-a-time,c1',
      '/c,3,c1',
      ',6,c1',
      '"/d,with-comma",7,c2',
      '"/e,8,c1',
      '/f',
    ].join('\n');
    const trace = await readTrace(write('bad.csv', csv));
    expect(trace.report.malformed).toBe(4);
    expect(trace.report.examples[0]).toContain('line 3');
    expect(trace.report.unsorted).toBe(1);
    expect(trace.objectNames).toEqual(['/a', '/c', '/d,with-comma']);
    expect([...trace.tsMs]).toEqual([3000, 5000, 7000]);
    expect(trace.objectNames[trace.object[0] ?? -1]).toBe('/c');
    expect(trace.hasBytes).toBe(false);
  });

  it('merges clusters on request and rejects a trace without ts or resource', async () => {
    const single = await readTrace(write('c.csv', 'ts,resource,cluster\n1,/a,x\n2,/a,y\n'), {
      singleCluster: true,
    });
    expect(single.clusterNames).toEqual(['all']);
    await expect(readTrace(write('h.csv', 'time,url\n1,/a\n'))).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
