import { describe, expect, it } from 'vitest';
import { parseJsonQueryLine } from './jsonQueryLine.js';

describe('parseJsonQueryLine', () => {
  it('reads the documented schema with seconds, numeric types and ECS', () => {
    expect(
      parseJsonQueryLine(
        '{"ts":1521911720.865,"qname":"a.example.","qtype":28,"client":"192.0.2.1","ecs":"198.51.100.0/24"}',
      ),
    ).toEqual({
      kind: 'ok',
      value: {
        tsMs: 1521911720865,
        qname: 'a.example.',
        qtype: 'AAAA',
        clientAddress: '192.0.2.1',
        ecsAddress: '198.51.100.0',
      },
    });
  });

  it('takes milliseconds, ISO strings, unknown numeric types and no client', () => {
    const ms = parseJsonQueryLine('{"ts":1521911720865,"qname":"a","qtype":4242}');
    expect(ms.kind === 'ok' && ms.value).toMatchObject({
      tsMs: 1521911720865,
      qtype: 'TYPE4242',
      clientAddress: undefined,
    });
    const iso = parseJsonQueryLine('{"ts":"2018-03-24T17:15:20.865Z","qname":"a","qtype":"https"}');
    expect(iso.kind === 'ok' && iso.value).toMatchObject({ tsMs: 1521911720865, qtype: 'HTTPS' });
  });

  it.each([
    ['', 'empty'],
    ['{"ts":1', 'bad-json'],
    ['[1,2]', 'bad-json'],
    ['{"qname":"a","qtype":"A"}', 'missing-field'],
    ['{"ts":"yesterday","qname":"a","qtype":"A"}', 'bad-time'],
    ['{"ts":12,"qname":"a","qtype":"A"}', 'bad-time'],
    ['{"ts":1521911720,"qname":7,"qtype":"A"}', 'bad-name'],
    ['{"ts":1521911720,"qname":"a","qtype":"A B"}', 'bad-type'],
    ['{"ts":1521911720,"qname":"a","qtype":"A","client":"me"}', 'bad-address'],
    ['{"ts":1521911720,"qname":"a","qtype":"A","ecs":"1.2.3.0/24/1"}', 'bad-address'],
  ])('rejects %j as %s', (line, reason) => {
    const outcome = parseJsonQueryLine(line);
    expect(outcome.kind === 'fail' && outcome.reason).toBe(reason);
  });
});
