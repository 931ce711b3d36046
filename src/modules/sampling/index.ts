// The sampling module (监督抽查): plans, the double-random draw, on-site sampling, lab results,
// post-processing and the result bulletins. It reads the register and the credit grades through
// their index.ts, and tells the credit engine what happened through catalogued events.
import type { ZhihuiModule } from '../types.js';
import { samplingMigrations } from './migrations.js';

export const sampling: ZhihuiModule = {
  name: 'sampling',
  migrations: samplingMigrations,
};
