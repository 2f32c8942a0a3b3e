import { QueryEvent, Source } from '@pdme/common/proto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeQueryEvents } from './queryEventEncoder.js';

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constant(''),
);
const queryEvent = fc.record({
  eventId: text,
  tsMs: fc.oneof(fc.integer({ min: -5, max: 2 ** 31 }), fc.maxSafeNat(), fc.constant(1_711_238_400_123)),
  resource: text,
  cluster: text,
  qtype: text,
  source: fc.constantFrom(...Object.values(Source).filter((v): v is Source => typeof v === 'number')),
  client: fc.option(
    fc.record({
      clientHash: text,
      keyEpoch: fc.oneof(fc.nat(), fc.constant(0xffffffff), fc.constant(0)),
      region: text,
      osFamily: text,
      browserFamily: text,
    }),
    { nil: undefined },
  ),
});

describe('encodeQueryEvents', () => {
  it('writes exactly the bytes of the generated encoder, keyed by resource', () => {
    fc.assert(
      fc.property(fc.array(queryEvent, { maxLength: 3000 }), (events) => {
        const encoded = encodeQueryEvents(events);
        expect(encoded).toHaveLength(events.length);
        for (const [i, event] of events.entries()) {
          expect(encoded[i]?.key).toBe(event.resource);
          expect(encoded[i]?.value).toEqual(Buffer.from(QueryEvent.encode(event).finish()));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps earlier values intact across chunks', () => {
    const events = Array.from({ length: 20_000 }, (_, i) =>
      QueryEvent.fromPartial({
        eventId: `id-${i}`,
        tsMs: i,
        resource: `r${i}.test`,
        cluster: 'c1',
        qtype: 'A',
      }),
    );
    const decoded = encodeQueryEvents(events).map((m) => QueryEvent.decode(m.value));
    expect(decoded).toEqual(events);
  });
});
