// The dependency rules of ARCHITECTURE.md: the web app never reaches the DAS client or the server
// apps; contracts depend on zod only; das-client has no runtime dependency but zod.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './lib/repo-root.ts';

const problems: string[] = [];
const pkg = (dir: string) => JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
const deps = (dir: string) => Object.keys(pkg(dir).dependencies ?? {});

const web = pkg('apps/web');
for (const name of Object.keys({ ...web.dependencies, ...web.devDependencies })) {
  if (['@quell/das-client', '@quell/bff', '@quell/das-local'].includes(name)) problems.push(`apps/web depends on ${name}`);
}
for (const file of walk(join(REPO_ROOT, 'apps/web/src'))) {
  const text = readFileSync(file, 'utf8');
  if (/from ['"](@quell\/(das-client|bff|das-local)|node:)/.test(text)) problems.push(`${relative(REPO_ROOT, file)} imports server-only code`);
}
for (const [dir, allowed] of [['packages/contracts', ['zod']], ['packages/das-client', ['zod']]] as const) {
  for (const name of deps(dir)) if (!(allowed as readonly string[]).includes(name)) problems.push(`${dir} has runtime dependency ${name}`);
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    // Tests run in Node and may use it; what ships to the browser may not.
    else if (/\.(ts|tsx)$/.test(entry) && !/\.test\.tsx?$/.test(entry)) yield path;
  }
}

if (problems.length) {
  console.error(`dependency rules broken:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('dependency rules hold: web → contracts only; contracts and das-client → zod only');
