import { describe, expect, it } from 'vitest';
import { syntheticProcessCount, syntheticProcessPage } from './synthetic-processes.ts';

describe('synthetic process list (bench only)', () => {
  it('is off unless the variable holds a count, and names the variable when it holds something else', () => {
    expect(syntheticProcessCount(undefined)).toBeUndefined();
    expect(syntheticProcessCount('')).toBeUndefined();
    expect(syntheticProcessCount('100000')).toBe(100_000);
    for (const bad of ['0', '-5', '1.5', 'lots', '2000000']) expect(() => syntheticProcessCount(bad)).toThrow(/DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES/);
  });

  it('pages through exactly `count` distinct threads, each page made from its offset', () => {
    const count = 250;
    const ids: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = syntheticProcessPage(count, { user: 'app' }, { offset, limit: 100 });
      expect(page.count).toBe(count);
      ids.push(...page.rows.map((r) => r.id));
      if (page.rows.length < 100) break;
    }
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    expect(syntheticProcessPage(count, { user: 'app' }, { offset: 120, limit: 5 }).rows.map((r) => r.id)).toEqual(ids.slice(120, 125));
    expect(syntheticProcessPage(count, { user: 'app' }, { offset: 300, limit: 100 }).rows).toEqual([]);
  });

  it('answers threads of the filtered user and database', () => {
    const { rows } = syntheticProcessPage(10, { user: 'app', database: 'shop' }, { offset: 0, limit: 10 });
    expect(rows.every((r) => r.user === 'app' && r.database === 'shop')).toBe(true);
    const unfiltered = syntheticProcessPage(10, { database: 'shop' }, { offset: 0, limit: 10 }).rows;
    expect(new Set(unfiltered.map((r) => r.user)).size).toBeGreaterThan(1);
  });
});
