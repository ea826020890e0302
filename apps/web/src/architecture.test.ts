import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = import.meta.dirname;
const APP = join(SRC, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');

describe('architecture', () => {
  it('never depends on the server-only DAS client', () => {
    const pkg = JSON.parse(readFileSync(join(APP, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })).not.toContain('@quell/das-client');
    for (const f of files(SRC)) expect(imports(f).filter((i) => i.includes('das-client')), relative(SRC, f)).toEqual([]);
  });

  it('uses the test kit from tests only, never from shipped code', () => {
    const pkg = JSON.parse(readFileSync(join(APP, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain('@quell/test-kit');
    const shipped = files(SRC).filter((f) => !/\.test\.tsx?$/.test(f) && relative(SRC, f).split(sep)[0] !== 'testing');
    for (const f of shipped) expect(imports(f).filter((i) => i.startsWith('@quell/test-kit')), relative(SRC, f)).toEqual([]);
  });

  it('features never import each other; shared code never imports features or app', () => {
    const problems: string[] = [];
    for (const f of files(SRC)) {
      const rel = relative(SRC, f).split(sep);
      const isTest = /\.test\.tsx?$/.test(f) || rel[0] === 'testing';
      if (isTest) continue;
      for (const i of imports(f)) {
        if (!i.startsWith('@/')) continue;
        const target = i.slice(2).split('/');
        if (rel[0] === 'features' && target[0] === 'features' && target[1] !== rel[1]) problems.push(`${rel.join('/')} → ${i}`);
        if (['components', 'lib', 'hooks'].includes(rel[0] ?? '') && (target[0] === 'features' || target[0] === 'app')) problems.push(`${rel.join('/')} → ${i}`);
        if (rel[0] === 'features' && target[0] === 'app') problems.push(`${rel.join('/')} → ${i}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('writes no literal query keys outside the key factories', () => {
    const offenders = files(SRC)
      .filter((f) => !/-queries\.ts$/.test(f) && !/\.test\.tsx?$/.test(f))
      .filter((f) => /queryKey:\s*\[/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});
