// The dependency rules of ARCHITECTURE.md that live in package.json files, where a linter does not look:
// the web app never depends on the DAS client, the server apps or the test kit; contracts and
// das-client have no runtime dependency but zod; the test kit is a dev dependency at most. The same
// rules for import statements are oxlint's (oxlint.config.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './lib/repo-root.ts';

const problems: string[] = [];
const pkg = (dir: string) => JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
const deps = (dir: string) => Object.keys(pkg(dir).dependencies ?? {});
const TEST_KIT = '@quell/test-kit';

const web = pkg('apps/web');
for (const name of Object.keys({ ...web.dependencies, ...web.devDependencies })) {
  if (['@quell/das-client', '@quell/bff', '@quell/das-local', TEST_KIT].includes(name)) problems.push(`apps/web depends on ${name}`);
}
for (const [dir, allowed] of [['packages/contracts', ['zod']], ['packages/das-client', ['zod']]] as const) {
  for (const name of deps(dir)) if (!(allowed as readonly string[]).includes(name)) problems.push(`${dir} has runtime dependency ${name}`);
}
for (const dir of ['apps/bff', 'apps/das-local']) {
  if (deps(dir).includes(TEST_KIT)) problems.push(`${dir} has runtime dependency ${TEST_KIT} (a dev dependency at most)`);
}

if (problems.length) {
  console.error(`dependency rules broken:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('dependency rules hold: web → contracts only; contracts and das-client → zod only; test-kit → tests only');
