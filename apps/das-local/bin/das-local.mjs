#!/usr/bin/env node
// Runs the built das-local (`pnpm --filter @quell/das-local build` writes dist/).
await import('../dist/cli.js');
