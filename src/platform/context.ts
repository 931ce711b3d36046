// What every module's code receives: the database, its dialect, the clock, the working-day
// calendar, the config and a logger. Passed explicitly; there are no globals.

import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import type { WorkdayCalendar } from '../core/workdays.js';
import type { Db, Dialect } from '../db/connect.js';

export type Logger = {
  info: (obj: object | string, msg?: string) => void;
  warn: (obj: object | string, msg?: string) => void;
  error: (obj: object | string, msg?: string) => void;
  debug: (obj: object | string, msg?: string) => void;
};

export type AppContext = {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  calendar: WorkdayCalendar;
  config: Config;
  log: Logger;
};

/** Who is acting: a signed-in user, a machine token, the CLI, or the system itself (jobs, seed). */
export type Actor = {
  id: string | null;
  label: string; // username, 'cli', 'system', 'seed'
  requestId?: string | null;
};

export const systemActor = (label = 'system'): Actor => ({ id: null, label });
