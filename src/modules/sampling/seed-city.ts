// City scale (200,000 enterprises): the bulk path (to come). Until then the city gets no sampling data.
import type { AppContext } from '../../platform/context.js';
import type { SeedOptions } from '../types.js';
import type { Setup } from './seed.js';

export async function seedCityScale(ctx: AppContext, _opts: SeedOptions, _s: Setup) {
  ctx.log.warn('sampling: the city-scale seed is not written yet; no sampling data at city scale');
  return { plans: 0, tasks: 0, samples: 0, refusals: 0, results: 0, failed: 0, cases: 0, inspectors: 0 };
}
