import { dnstap } from '@pdme/common/proto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dnstapQueryPayload } from '../../test/support/dnstapPayloads.js';
import { readDnstap } from './dnstapReader.js';

/** Same outcome as the generated decoder: equal fields, or both throw. */
function outcome(decode: (payload: Uint8Array) => dnstap.Dnstap, payload: Uint8Array): unknown {
  try {
    return JSON.parse(JSON.stringify(decode(payload)));
  } catch {
    return 'throws';
  }
}

const validPayload = fc
  .record({
    a: fc.nat(255),
    b: fc.nat(255),
    tsSec: fc.integer({ min: 1, max: 2 ** 40 }),
    name: fc.stringMatching(/^[a-z0-9]{1,20}(\.[a-z0-9]{1,20}){0,3}$/),
  })
  .map(({ a, b, tsSec, name }) => Buffer.from(dnstapQueryPayload({ name, address: [10, a, b, 1], tsSec })));

function mutate(payload: Buffer): fc.Arbitrary<Buffer> {
  return fc
    .array(fc.tuple(fc.nat(Math.max(0, payload.length - 1)), fc.nat(255)), { maxLength: 4 })
    .map((edits) => {
      const copy = Buffer.from(payload);
      for (const [at, byte] of edits) copy[at] = byte;
      return copy;
    });
}

describe('readDnstap', () => {
  it('reads what the generated decoder reads, and fails where it fails', () => {
    const inputs = fc.oneof(
      validPayload,
      validPayload.chain(mutate),
      validPayload.chain((p) => fc.nat(p.length).map((n) => p.subarray(0, n))),
      fc.uint8Array({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(inputs, (payload) => {
        expect(outcome(readDnstap, payload)).toEqual(outcome(dnstap.Dnstap.decode, payload));
      }),
      { numRuns: 5_000 },
    );
  }, 120_000);

  it('returns views of the payload, not copies', () => {
    const payload = Buffer.from(dnstapQueryPayload({ name: 'a.test', address: [10, 0, 0, 1], tsSec: 1 }));
    const message = readDnstap(payload).message;
    expect(message?.queryMessage?.buffer).toBe(payload.buffer);
  });
});
