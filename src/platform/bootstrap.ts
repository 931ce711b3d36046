// Opens the database, migrates it, loads reference data and returns the AppContext that the
// server, the CLI and the tests all run on.

import { type Clock, systemClock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import { loadHolidayCalendar } from '../core/workdays.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { allMigrations, MODULES } from '../modules/index.js';
import type { AppContext, Logger } from './context.js';

const quietLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

export const consoleLogger: Logger = {
  info: (o, m) => console.error(m ?? o),
  warn: (o, m) => console.error(m ?? o),
  error: (o, m) => console.error(m ?? '', o),
  debug() {},
};

export type Runtime = AppContext & { close: () => Promise<void>; migrated: string[] };

export async function createRuntime(
  config: Config,
  opts: { clock?: Clock; log?: Logger; migrate?: boolean; poolSize?: number } = {},
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
      migrated = await migrateToLatest(ctx.db, ctx.dialect, allMigrations());
      for (const m of MODULES) await m.loadReferenceData?.(ctx);
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  return { ...ctx, migrated, close: handle.close };
}
