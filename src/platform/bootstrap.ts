// Opens the database, migrates it, loads reference data and returns the AppContext that the
// server, the CLI and the tests all run on. The platform never imports src/modules: what to
// migrate and which reference data to load are handed in by the composition root
// (src/runtime.ts, which binds MODULES). Callers use createRuntime from there.

import { type Clock, systemClock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import { loadHolidayCalendar } from '../core/workdays.js';
import { openDatabase } from '../db/connect.js';
import { type AppMigration, migrateToLatest } from '../db/migrate.js';
import type { AppContext, Logger } from './context.js';

const quietLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

export const consoleLogger: Logger = {
  info: (o, m) => console.error(m ?? o),
  warn: (o, m) => console.error(m ?? o),
  error: (o, m) => console.error(m ?? '', o),
  debug() {},
};

export type Runtime = AppContext & { close: () => Promise<void>; migrated: string[] };

export type RuntimeOptions = { clock?: Clock; log?: Logger; migrate?: boolean; poolSize?: number };

/** What the application is made of, as far as opening a database goes (typed structurally). */
export type Composition = {
  /** Every migration in order: the platform's first, then each module's. */
  migrations: readonly AppMigration[];
  /** Each module's reference-data loader runs, in this order, after every migrate. */
  modules: readonly { name: string; loadReferenceData?: (ctx: AppContext) => Promise<void> }[];
};

/** Opens `config.database` and, unless `migrate: false`, migrates it and loads reference data. */
export async function bootRuntime(
  config: Config,
  composition: Composition,
  opts: RuntimeOptions = {},
): Promise<Runtime> {
  const handle = openDatabase(config.database, { poolSize: opts.poolSize });
  const ctx: AppContext = {
    db: handle.db,
    dialect: handle.dialect,
    clock: opts.clock ?? systemClock,
    calendar: loadHolidayCalendar(),
    config,
    log: opts.log ?? quietLogger,
  };
  let migrated: string[] = [];
  try {
    if (opts.migrate !== false) {
      migrated = await migrateToLatest(ctx.db, ctx.dialect, [...composition.migrations]);
      for (const m of composition.modules) await m.loadReferenceData?.(ctx);
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  return { ...ctx, migrated, close: handle.close };
}
