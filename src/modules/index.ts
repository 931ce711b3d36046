// The map of the product: every module in dependency order. A module may use the exported API
// (index.ts) of the modules above it, never their internals.
import { platformMigrations } from '../platform/migrations.js';
import { credit } from './credit/index.js';
import { registry } from './registry/index.js';
import { sampling } from './sampling/index.js';
import type { ZhihuiModule } from './types.js';

export const MODULES: ZhihuiModule[] = [registry, credit, sampling];

export const allMigrations = () => [...platformMigrations, ...MODULES.flatMap((m) => m.migrations)];
export const allEventHandlers = () => MODULES.flatMap((m) => m.eventHandlers ?? []);
export const allJobs = () => MODULES.flatMap((m) => m.jobs ?? []);
