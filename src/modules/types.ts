// The shape every module exports from its index.ts. src/modules/index.ts lists the modules in
// dependency order; that list is the map of the product.
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { AppMigration } from '../db/migrate.js';
import type { Runtime } from '../platform/bootstrap.js';
import type { AppContext } from '../platform/context.js';
import type { EventHandler } from '../platform/events/outbox.js';
import type { Job } from '../platform/jobs.js';

export type SeedScale = 'demo' | 'city';
export type SeedOptions = {
  scale: SeedScale;
  seed: number;
  onProgress?: (done: number, total: number) => void;
};

/** What the `zhihui` command gives a module's CLI hook (made in src/cli/env.ts). */
export type CliEnv = {
  /** Opens the configured database (DATABASE_URL) migrated, runs `fn` on it, closes it. */
  withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T>;
  /** Prints a result on stdout. */
  print(text: string): void;
  /** Prints a note or warning on stderr. */
  warn(text: string): void;
  /**
   * Refuses what the user typed: the message (Chinese, then English) on stderr and exit code 2,
   * never a stack trace. (An AppError thrown by a command prints its code and exits with 1.)
   */
  usageError(message: { zh: string; en: string }): never;
  /** The code the process exits with once the command is done (e.g. 2 when a check fails). */
  setExitCode(code: number): void;
};

export type ZhihuiModule = {
  name: string;
  migrations: AppMigration[];
  /** Loads reference data the module ships (idempotent; runs after every migrate). */
  loadReferenceData?: (ctx: AppContext) => Promise<void>;
  /** Registers the module's HTTP routes (authenticated and public) on the app. */
  routes?: (app: FastifyInstance, ctx: AppContext) => Promise<void>;
  eventHandlers?: EventHandler[];
  jobs?: Job[];
  seed?: (ctx: AppContext, opts: SeedOptions) => Promise<unknown>;
  /** Adds the module's commands to `zhihui` (src/cli/main.ts calls every module's hook). */
  cli?: (program: Command, env: CliEnv) => void;
};
