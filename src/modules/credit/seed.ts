import type { AppContext } from '../../platform/context.js';
import type { SeedOptions } from '../types.js';
export async function seedCredit(_ctx: AppContext, _opts: SeedOptions) {
  return null;
}
