// The dependency rules of ARCHITECTURE.md: the web app never reaches the DAS client or the server
// apps; contracts depend on zod only; das-client has no runtime dependency but zod; the test kit is
// for tests only (a dev dependency of the apps, imported by their tests, never by shipped code).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './lib/repo-root.ts';

const problems: string[] = [];
const pkg = (dir: string) => JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
const deps = (dir: string) => Object.keys(pkg(dir).dependencies ?? {});
const TEST_KIT = '@quell/test-kit';

const web = pkg('apps/web');
for (const name of Object.keys({ ...web.dependencies, ...web.devDependencies })) {
  if (['@quell/das-client', '@quell/bff', '@quell/das-local', TEST_KIT].includes(name)) problems.push(`apps/web depends on ${name}`);
}
for (const file of walk(join(REPO_ROOT, 'apps/web/src'))) {
  const text = readFileSync(file, 'utf8');
  if (/from ['"](@quell\/(das-client|bff|das-local|test-kit)|node:)/.test(text)) problems.push(`${relative(REPO_ROOT, file)} imports server-only code`);
}
for (const [dir, allowed] of [['packages/contracts', ['zod']], ['packages/das-client', ['zod']]] as const) {
  for (const name of deps(dir)) if (!(allowed as readonly string[]).includes(name)) problems.push(`${dir} has runtime dependency ${name}`);
}
for (const dir of ['apps/bff', 'apps/das-local', 'packages/contracts', 'packages/das-client']) {
  if (deps(dir).includes(TEST_KIT)) problems.push(`${dir} has runtime dependency ${TEST_KIT} (a dev dependency at most)`);
  for (const file of walk(join(REPO_ROOT, dir, 'src'))) {
    if (new RegExp(`from ['"]${TEST_KIT}`).test(readFileSync(file, 'utf8'))) problems.push(`${relative(REPO_ROOT, file)} is shipped code and imports ${TEST_KIT}`);
  }
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
console.log('dependency rules hold: web → contracts only; contracts and das-client → zod only; test-kit → tests only');
