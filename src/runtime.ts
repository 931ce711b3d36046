// The composition root: the one place where the platform meets the modules. It binds MODULES
// (src/modules/index.ts) to the platform's bootRuntime, so src/platform never imports
// src/modules. The CLI (serve included), the e2e harness and the tests open their database here.
import type { Config } from './core/config.js';
import { allMigrations, MODULES } from './modules/index.js';
import { bootRuntime, type Runtime, type RuntimeOptions } from './platform/bootstrap.js';

export { consoleLogger, type Runtime, type RuntimeOptions } from './platform/bootstrap.js';

/** Opens the configured database, migrated (platform, then every module) with reference data loaded. */
export function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  return bootRuntime(config, { migrations: allMigrations(), modules: MODULES }, opts);
}
