import fc from 'fast-check';

/** One random edit: insert, delete or replace a character, cut, or duplicate a slice. */
export const mutate = (line: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.nat(Math.max(line.length, 1)),
      fc.nat(8),
      fc.integer({ min: 0, max: 4 }),
      fc.string({ maxLength: 3 }),
    )
    .map(([at, span, kind, text]) => {
      switch (kind) {
        case 0:
          return line.slice(0, at) + text + line.slice(at);
        case 1:
          return line.slice(0, at) + line.slice(at + span + 1);
        case 2:
          return line.slice(0, at) + text + line.slice(at + text.length);
        case 3:
          return line.slice(0, at);
        default:
          return line.slice(0, at) + line.slice(at, at + span) + line.slice(at);
      }
    });
