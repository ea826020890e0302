// The import boundaries (contracts only, no Node in shipped code, features apart) are lint rules:
// oxlint.config.ts at the root, run by `pnpm lint` and `./quell test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = import.meta.dirname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

describe('architecture', () => {
  it('writes no literal query keys outside the key factories', () => {
    const offenders = files(SRC)
      .filter((f) => !/-queries\.ts$/.test(f) && !/\.test\.tsx?$/.test(f))
      .filter((f) => /queryKey:\s*\[/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});
