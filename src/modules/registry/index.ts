import type { ZhihuiModule } from '../types.js';
import { registryMigrations } from './migrations.js';
import { loadRegistryReferenceData } from './reference.js';
import { registryRoutes } from './routes.js';
import { seedRegistry } from './seed.js';

export const registry: ZhihuiModule = {
  name: 'registry',
  migrations: registryMigrations,
  loadReferenceData: loadRegistryReferenceData,
  routes: registryRoutes,
  seed: seedRegistry,
};

export {
  type Maker,
  type MakerJoin,
  type MakerLink,
  makerLinksOf,
  makersOf,
  type ProductCategoryName,
  productCategoryNames,
} from './enterprise-products.js';
// The small read API other modules may use.
export { findEnterpriseById, findEnterpriseByUscc, updateEnterprise } from './enterprises.js';
export { createRng, DEMO_SEED, demoSampleUscc, idFactory, type Rng, seedAsOf, seedInstant } from './seed.js';
export { normalizeUscc, validateUscc } from './uscc.js';
