import { describe, expect, it } from 'vitest';
import { parseCombinedLine, parseNginxJsonLine } from './nginxAccessLog.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

describe('parseCombinedLine', () => {
  it('reads a combined line, drops the query string, takes the host from the option', () => {
    const outcome = parseCombinedLine(
      `192.0.2.1 - - [24/Mar/2018:19:15:20 +0200] "GET /v/1.ts?token=secret HTTP/1.1" 200 5120 "-" "${UA}"`,
      { defaultHost: 'Video1.cdn.pdme.test', server: 'cache-c1-a' },
    );
    expect(outcome).toEqual({
      kind: 'ok',
      value: {
        tsMs: Date.UTC(2018, 2, 24, 17, 15, 20),
        host: 'video1.cdn.pdme.test',
        path: '/v/1.ts',
        status: 200,
        bytes: 5120,
        cacheStatus: '',
        userAgent: UA,
        clientAddress: '192.0.2.1',
        server: 'cache-c1-a',
      },
    });
  });

  it('takes the host from an absolute URI and ignores trailing fields', () => {
    const outcome = parseCombinedLine(
      '192.0.2.1 - - [24/Mar/2018:17:15:20 +0000] "GET http://a.example/x HTTP/1.1" 304 - "-" "-" "extra" 0.001',
    );
    expect(outcome.kind === 'ok' && outcome.value).toMatchObject({ host: 'a.example', path: '/x', bytes: 0 });
  });

  it.each([
    ['', 'empty'],
    ['garbage', 'malformed'],
    ['me - - [24/Mar/2018:17:15:20 +0000] "GET / HTTP/1.1" 200 1 "-" "-"', 'bad-address'],
    ['192.0.2.1 - - [24/Foo/2018:17:15:20 +0000] "GET / HTTP/1.1" 200 1 "-" "-"', 'bad-time'],
    ['192.0.2.1 - - [24/Mar/2018:17:15:20 +0000] "\\x16\\x03" 400 1 "-" "-"', 'bad-request'],
    ['192.0.2.1 - - [24/Mar/2018:17:15:20 +0000] "GET / HTTP/1.1" 200 1 "-" "-"', 'no-host'],
  ])('rejects %j as %s', (line, reason) => {
    const outcome = parseCombinedLine(line);
    expect(outcome.kind === 'fail' && outcome.reason).toBe(reason);
  });
});

describe('parseNginxJsonLine', () => {
  const line = {
    time: 1521911720.865,
    host: 'video1.cdn.pdme.test',
    uri: '/v/1.ts',
    args: 'token=x',
    method: 'GET',
    status: 200,
    bytes: 5120,
    request_time: 0.002,
    upstream_cache_status: 'HIT',
    user_agent: UA,
    remote_addr: '127.0.1.7',
    server: 'cache-c1-a',
  };

  it('reads what deploy/local/nginx/cache.conf writes', () => {
    expect(parseNginxJsonLine(JSON.stringify(line))).toEqual({
      kind: 'ok',
      value: {
        tsMs: 1521911720865,
        host: 'video1.cdn.pdme.test',
        path: '/v/1.ts',
        status: 200,
        bytes: 5120,
        cacheStatus: 'HIT',
        userAgent: UA,
        clientAddress: '127.0.1.7',
        server: 'cache-c1-a',
      },
    });
  });

  it.each([
    [{ ...line, time: 'now' }, 'bad-time'],
    [{ ...line, host: 'a b' }, 'bad-field'],
    [{ ...line, status: '200' }, 'bad-field'],
    [{ ...line, bytes: -1 }, 'bad-field'],
    [{ ...line, remote_addr: 'x' }, 'bad-address'],
    [{ host: 'a', uri: '/' }, 'missing-field'],
  ])('rejects %j as %s', (record, reason) => {
    const outcome = parseNginxJsonLine(JSON.stringify(record));
    expect(outcome.kind === 'fail' && outcome.reason).toBe(reason);
  });
});
