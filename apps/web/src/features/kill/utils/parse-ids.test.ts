import { describe, expect, it } from 'vitest';
import { parseSessionIds } from './parse-ids';

describe('parseSessionIds', () => {
  it('reads ids separated by anything sensible and drops duplicates', () => {
    expect(parseSessionIds('12, 13;14\n15 12\t16')).toEqual({ ids: [12, 13, 14, 15, 16], invalid: [], tooMany: false });
  });
  it('lists what it could not read', () => {
    expect(parseSessionIds('1 x2 -3 2147483648 4.5').invalid).toEqual(['x2', '-3', '2147483648', '4.5']);
  });
  it('handles empty input', () => {
    expect(parseSessionIds('  \n ')).toEqual({ ids: [], invalid: [], tooMany: false });
  });
});
