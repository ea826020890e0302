// `pnpm lint` (a step of `./quell test`): the import boundaries of ARCHITECTURE.md, and no unused code.
// What a linter cannot see (the dependencies package.json files declare) stays in scripts/check-deps.ts.
import { readdirSync } from 'node:fs';
import { defineConfig } from 'oxlint';

type Pattern = { group: string[]; message: string };
const restrict = (...patterns: Pattern[]): ['error', { patterns: Pattern[] }] => ['error', { patterns }];

// The web app reaches the server through HTTP only: of the workspace, it imports the contracts alone.
const WEB_TO_CONTRACTS: Pattern = { group: ['@quell/**', '!@quell/contracts/**'], message: 'apps/web depends on @quell/contracts only (never the DAS client or the servers).' };
const NO_APP_FROM_FEATURES: Pattern = { group: ['@/app/**'], message: 'features and shared code never import the app shell.' };
const NO_FEATURES: Pattern = { group: ['@/features/**'], message: 'shared code (components, lib, hooks) never imports a feature.' };
const otherFeatures = (own: string): Pattern => ({ group: ['@/features/**', `!@/features/${own}/**`], message: 'features never import each other; move what both need to shared code.' });
const FEATURES = readdirSync(new URL('./apps/web/src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

// The test kit is for tests: shipped code of the servers never imports it (the packages' rules below
// and the web app's above already allow nothing of the kind).
const NO_TEST_KIT: Pattern = { group: ['@quell/test-kit/**'], message: 'shipped code never imports the test kit; tests do.' };
const SERVER_TESTS = ['apps/{bff,das-local}/src/**/*.test.ts', 'apps/bff/src/test/**', 'apps/das-local/src/test-support.ts'];

const RELATIVE = ['!./**', '!../**'];
const ZOD_ONLY: Pattern = { group: ['**', '!zod', '!zod/**', ...RELATIVE], message: 'packages/contracts is shared with the browser: it imports zod only.' };
const ZOD_AND_NODE: Pattern = { group: ['**', '!zod', '!zod/**', '!node:*', ...RELATIVE], message: 'packages/das-client imports zod and Node built-ins only.' };

const WEB_TESTS = ['apps/web/src/**/*.test.{ts,tsx}', 'apps/web/src/testing/**'];

export default defineConfig({
  plugins: ['typescript', 'import'],
  categories: { correctness: 'off' },
  ignorePatterns: ['**/dist/**', '**/node_modules/**', '.quell/**'],
  rules: {
    'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    'no-unused-private-class-members': 'error',
    'no-unused-labels': 'error',
    'no-unused-expressions': 'error',
    'no-unreachable': 'error',
  },
  overrides: [
    // What ships to the browser: no Node built-ins, contracts only. Later entries refine earlier ones.
    { files: ['apps/web/src/**'], rules: { 'import/no-nodejs-modules': 'error', 'no-restricted-imports': restrict(WEB_TO_CONTRACTS) } },
    { files: ['apps/web/src/{components,lib,hooks}/**'], rules: { 'no-restricted-imports': restrict(WEB_TO_CONTRACTS, NO_FEATURES, NO_APP_FROM_FEATURES) } },
    ...FEATURES.map((feature) => ({
      files: [`apps/web/src/features/${feature}/**`],
      rules: { 'no-restricted-imports': restrict(WEB_TO_CONTRACTS, otherFeatures(feature), NO_APP_FROM_FEATURES) },
    })),
    // Tests run in Node and may reach across features, but never for the DAS client or the servers.
    { files: WEB_TESTS, rules: { 'import/no-nodejs-modules': 'off', 'no-restricted-imports': restrict(WEB_TO_CONTRACTS) } },

    { files: ['apps/{bff,das-local}/src/**'], rules: { 'no-restricted-imports': restrict(NO_TEST_KIT) } },
    { files: SERVER_TESTS, rules: { 'no-restricted-imports': 'off' } },

    { files: ['packages/contracts/src/**'], rules: { 'no-restricted-imports': restrict(ZOD_ONLY) } },
    { files: ['packages/das-client/src/**'], rules: { 'no-restricted-imports': restrict(ZOD_AND_NODE) } },
    { files: ['packages/*/src/**/*.test.ts', 'packages/das-client/src/testing/**'], rules: { 'no-restricted-imports': 'off' } },
  ],
});
