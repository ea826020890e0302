// fast-check generators the BFF's and das-local's route fuzzers share.
import fc from 'fast-check';

export type FieldArbitraries = Record<string, fc.Arbitrary<unknown>>;

/** A body object: each known field absent, plausible or `junk`; sometimes an extra field. */
export function objectBody(fields: FieldArbitraries, junk: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(fields).map(([k, g]) => fc.option(fc.tuple(fc.constant(k), fc.oneof({ weight: 2, arbitrary: g }, { weight: 1, arbitrary: junk })), { nil: undefined, freq: 4 }));
  const extra = fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), junk), { nil: undefined, freq: 4 });
  return fc.tuple(fc.tuple(...entries), extra).map(([es, x]) => {
    const o: Record<string, unknown> = {};
    for (const e of es) if (e) o[e[0]] = e[1];
    if (x) o[x[0]] = x[1];
    return o;
  });
}
