import { describe, expect, it } from 'vitest';
import { isAccessDenied } from './mysql-backend.ts';

// Registration must answer DAS.200051 (400) for every way MySQL/MariaDB refuses a login, never a 500.
describe('isAccessDenied', () => {
  it('recognises every shape of a refused login', () => {
    expect(isAccessDenied({ errno: 1045, sqlState: '28000' })).toBe(true);
    expect(isAccessDenied({ errno: 1044 })).toBe(true);
    expect(isAccessDenied({ errno: 1698, code: 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR', sqlState: '28000' })).toBe(true);
    expect(isAccessDenied({ sqlState: '28000' })).toBe(true);
    expect(isAccessDenied(new Error("Access denied for user 'x'@'127.0.0.1'"))).toBe(true);
  });

  it('leaves every other failure alone', () => {
    expect(isAccessDenied({ errno: 2003, code: 'ECONNREFUSED' })).toBe(false);
    expect(isAccessDenied({ errno: 1227, sqlState: '42000' })).toBe(false);
    expect(isAccessDenied(new Error('connect ETIMEDOUT'))).toBe(false);
    expect(isAccessDenied(undefined)).toBe(false);
  });
});
