import { describe, expect, it } from 'vitest';
import { maxMinutes } from './limits';

describe('maxMinutes', () => {
  it('allows operators 2 h and admins 24 h', () => {
    expect(maxMinutes('operator')).toBe(120);
    expect(maxMinutes('admin')).toBe(1440);
  });
});
