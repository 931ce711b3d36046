#!/usr/bin/env node
// The `zhihui` command. TypeScript runs directly through tsx, so `npx zhihui` works right after
// `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
