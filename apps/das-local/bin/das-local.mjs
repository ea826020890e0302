#!/usr/bin/env node
// Runs src/cli.ts through tsx in this process (das-local ships TypeScript sources only).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
