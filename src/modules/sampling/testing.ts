// Test fixtures of the sampling module: a city with makers of a category, a lab, inspectors and a
// published plan, built through the services (the lab profile row is the register's seed data).
import { newId } from '../../core/ids.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { buildEnterprise } from '../../testing/factories.js';
import { createEnterprise } from '../registry/enterprises.js';
import type { PlanBody } from './model.js';

export const CHANGAN = '441900119';
export const HUMEN = '441900121';

/** A lab enterprise (with the lab profile the register's seed gives labs). */
export async function makeLab(rt: Runtime, name = '东莞市质量监督检测中心') {
  const lab = buildEnterprise({ name, industryCode: '74' });
  const id = await createEnterprise(rt, systemActor('test'), lab);
  await rt.db
    .insertInto('enterprise_profiles')
    .values({
      id: newId(),
      enterprise_id: id,
      kind: 'lab',
      details: '{}',
      since: '2010-01-01',
      created_at: new Date().toISOString(),
    })
    .execute();
  return { ...lab, id };
}

/** `n` operating makers of `category` in `town`. */
export async function makeMakers(
  rt: Runtime,
  n: number,
  category: string,
  town = CHANGAN,
  over: Partial<Parameters<typeof buildEnterprise>[0]> = {},
) {
  const out: { id: string; uscc: string; name: string }[] = [];
  for (let i = 0; i < n; i++) {
    const input = buildEnterprise({
      townCode: town,
      industryCode: '38',
      productCategories: [category],
      ...over,
    });
    const id = await createEnterprise(rt, systemActor('test'), input);
    out.push({ id, uscc: input.uscc, name: input.name });
  }
  return out;
}

export function planBody(category: string, labId: string, over: Partial<PlanBody> = {}): PlanBody {
  return {
    legalBasis: '《中华人民共和国产品质量法》第十五条；《产品质量监督抽查管理暂行办法》',
    towns: [],
    townQuotas: {},
    budgetYuan: 200000,
    categories: [
      {
        code: category,
        checkItems: [
          {
            key: 'i1',
            standardCode: 'GB/T 5023.1-2008',
            clause: '5.1',
            item: '标志',
            requirement: '应符合标准要求',
            unit: '',
            class: 'minor',
          },
          {
            key: 'i2',
            standardCode: 'GB/T 5023.1-2008',
            clause: '5.6',
            item: '导体电阻',
            requirement: '≤ 18.1',
            unit: 'Ω/km',
            class: 'critical',
          },
          {
            key: 'i3',
            standardCode: 'GB/T 5023.1-2008',
            clause: '5.2',
            item: '绝缘厚度',
            requirement: '≥ 0.7',
            unit: 'mm',
            class: 'major',
          },
        ],
        testUnits: 2,
        backupUnits: 2,
        labEnterpriseId: labId,
        quota: 0,
      },
    ],
    ...over,
  };
}
