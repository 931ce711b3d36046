// The shape every module exports from its index.ts. src/modules/index.ts lists the modules in
// dependency order; that list is the map of the product.
import type { FastifyInstance } from 'fastify';
import type { AppMigration } from '../db/migrate.js';
import type { AppContext } from '../platform/context.js';
import type { EventHandler } from '../platform/events/outbox.js';
import type { Job } from '../platform/jobs.js';

export type SeedScale = 'demo' | 'city';
export type SeedOptions = {
  scale: SeedScale;
  seed: number;
  onProgress?: (done: number, total: number) => void;
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
};
