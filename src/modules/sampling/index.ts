// The sampling module (监督抽查): plans, the double-random draw, on-site sampling, lab results,
// post-processing and the result bulletins. It reads the register and the credit grades through
// their index.ts, and tells the credit engine what happened through catalogued events.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.js';
import type { ZhihuiModule } from '../types.js';
import { caseJobs } from './case-jobs.js';
import { caseRoutes } from './case-routes.js';
import { samplingCli } from './cli.js';
import { samplingMigrations } from './migrations.js';
import { publicSamplingRoutes } from './public.js';
import { samplingRoutes } from './routes.js';
import { seedSampling } from './seed.js';
import { samplingStatsRoutes } from './stats-routes.js';

export const sampling: ZhihuiModule = {
  name: 'sampling',
  migrations: samplingMigrations,
  routes: async (app: FastifyInstance, ctx: AppContext) => {
    await samplingRoutes(app, ctx);
    await caseRoutes(app, ctx);
    await samplingStatsRoutes(app, ctx);
    await publicSamplingRoutes(app, ctx);
  },
  jobs: caseJobs,
  seed: seedSampling,
  cli: samplingCli,
};
