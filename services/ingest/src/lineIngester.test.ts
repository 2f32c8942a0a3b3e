import type { DeadLetterInput, Keyed } from '@pdme/common/kafka';
import { QueryEvent } from '@pdme/common/proto';
import fc from 'fast-check';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bindLine, clientOf } from '../test/support/generateLogs.js';
import { EventSink, type EventPublisher } from './eventSink.js';
import { createIngestContext } from './ingestContext.js';
import { lineParserFor } from './lineFormats.js';
import { LineIngester } from './lineIngester.js';
import { mutate } from '../test/support/mutate.js';

const config = {
  clusters: [
    {
      id: 'c1',
      region: 'eu-west',
      subnets: ['10.0.0.0/9'],
      dns: { server: '127.0.0.1', port: 53, zone: 'cdn.pdme.test', keyName: 'k' },
      servers: [
        {
          id: 'cache-c1-a',
          host: 'a.c1',
          address: '127.0.1.101',
          port: 80,
          capacityBytes: 1,
          latencyMs: 1,
          region: 'eu-west',
          cost: 1,
        },
      ],
    },
    {
      id: 'c2',
      region: 'us-east',
      subnets: ['10.128.0.0/9'],
      dns: { server: '127.0.0.1', port: 53, zone: 'cdn.pdme.test', keyName: 'k' },
      servers: [
        {
          id: 'cache-c2-a',
          host: 'a.c2',
          address: '127.0.2.101',
          port: 80,
          capacityBytes: 1,
          latencyMs: 1,
          region: 'us-east',
          cost: 1,
        },
      ],
    },
  ],
  anonymization: { ipv4PrefixLength: 24, ipv6PrefixLength: 48, k: 3, keyRotationMs: 3_600_000 },
} as unknown as Parameters<typeof createIngestContext>[0]['config'];

function recordingPublisher(): EventPublisher & { events: Keyed<unknown>[]; letters: DeadLetterInput[] } {
  const events: Keyed<unknown>[] = [];
  const letters: DeadLetterInput[] = [];
  return {
    events,
    letters,
    publish: async (_topic, messages) => void events.push(...messages),
    publishEncoded: async (_topic, messages) =>
      void events.push(...messages.map((m) => ({ key: String(m.key), value: QueryEvent.decode(m.value) }))),
    deadLetter: async (batch) => void letters.push(...batch),
  };
}

describe('LineIngester + EventSink', () => {
  it('accounts for every line, and no client address reaches an event or a dead letter', async () => {
    const line = fc.integer({ min: 1, max: 2_000_000 }).map((i) => bindLine(i, 'prop', Date.UTC(2024, 0, 1)));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(line, line.chain(mutate)), { minLength: 1, maxLength: 200 }),
        async (lines) => {
          const publisher = recordingPublisher();
          const sink = new EventSink({
            publisher,
            service: 'test',
            maxBatch: 16,
            onSendError: () => undefined,
          });
          const ingester = new LineIngester(
            lineParserFor('bind', { timeZone: 'utc' }),
            sink,
            createIngestContext({ config, secret: Buffer.from('a-test-secret-of-32-bytes-length') }),
          );
          for (const [i, text] of lines.entries())
            await ingester.line(text, { origin: `t:${i + 1}`, sourceId: `t:${i + 1}` });
          await sink.close();
          const { counts } = sink;
          expect(counts.read).toBe(lines.length);
          expect(counts.published + counts.deadLettered + counts.skipped).toBe(counts.read);
          expect(publisher.events).toHaveLength(counts.published);
          expect(Object.values(counts.rejected).reduce((a, b) => a + b, 0)).toBe(publisher.letters.length);
          const published =
            JSON.stringify(publisher.events) +
            publisher.letters.map((l) => Buffer.from(l.payload).toString()).join('\n');
          for (const text of lines) {
            const address = /client (?:@0x\w+ )?([\d.]+)#/.exec(text)?.[1];
            if (address !== undefined && isIP(address) === 4) expect(published).not.toContain(`${address}#`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('maps access lines to the cache server cluster and gates traits by k', async () => {
    const publisher = recordingPublisher();
    const sink = new EventSink({ publisher, service: 'test', onSendError: () => undefined });
    const ingester = new LineIngester(
      lineParserFor('nginx', { timeZone: 'utc' }),
      sink,
      createIngestContext({ config, secret: Buffer.from('a-test-secret-of-32-bytes-length') }),
    );
    const ua =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    for (let i = 0; i < 4; i++) {
      const record = {
        time: 1_700_000_000 + i,
        host: 'Video1.cdn.pdme.test',
        uri: '/v.ts',
        status: 200,
        bytes: 10,
        upstream_cache_status: 'HIT',
        user_agent: ua,
        remote_addr: clientOf(i * 256), // a different /24 each: a different client hash
        server: 'cache-c2-a',
      };
      await ingester.line(JSON.stringify(record), { origin: `a:${i}`, sourceId: `a:${i}` });
    }
    await sink.close();
    const clients = publisher.events.map(
      (e) => e.value as { cluster: string; resource: string; client: Record<string, unknown> },
    );
    expect(clients.map((e) => [e.cluster, e.resource])).toEqual(
      Array(4).fill(['c2', 'video1.cdn.pdme.test']),
    );
    // k = 3: the first two clients get no traits, the third and fourth the full combination.
    expect(clients.map((e) => [e.client['region'], e.client['osFamily'], e.client['browserFamily']])).toEqual(
      [
        ['', '', ''],
        ['', '', ''],
        ['eu-west', 'Windows', 'Chrome'],
        ['eu-west', 'Windows', 'Chrome'],
      ],
    );
    expect(JSON.stringify(publisher.events)).not.toContain('10.0.');
  });
});
