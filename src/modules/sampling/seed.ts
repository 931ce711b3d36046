import type { AppContext } from '../../platform/context.js';
import type { SeedOptions } from '../types.js';

// Placeholder until the demo seed lands.
export async function seedSampling(_ctx: AppContext, _opts: SeedOptions) {
  return { plans: 0 };
}
