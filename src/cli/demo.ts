// First-run demo city: the register (demo scale) and one account per role, printed at start-up.

import { seedCredit } from '../modules/credit/seed.js';
import { seedRegistry } from '../modules/registry/seed.js';
import { createUser } from '../platform/auth/users.js';
import type { AppContext } from '../platform/context.js';
import { systemActor } from '../platform/context.js';

export const DEMO_PASSWORD = 'Zhihui@2026';

export type DemoAccount = { username: string; role: string; displayName: string; note: string };

export async function ensureDemoData(
  ctx: AppContext,
  opts: { seed?: number; onProgress?: (d: number, t: number) => void } = {},
) {
  const hasEnterprises = await ctx.db.selectFrom('enterprises').select('id').limit(1).executeTakeFirst();
  const hasUsers = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (hasEnterprises || hasUsers) return null;
  const seeded = await seedRegistry(ctx, {
    scale: 'demo',
    seed: opts.seed ?? 2016,
    onProgress: opts.onProgress,
  });
  await seedCredit(ctx, { scale: 'demo', seed: opts.seed ?? 2016 });
  const actor = systemActor('seed');
  const changan = await ctx.db
    .selectFrom('towns')
    .select('code')
    .where('name', '=', '长安镇')
    .executeTakeFirstOrThrow();
  const accounts: (DemoAccount & { townCode?: string; enterpriseUscc?: string })[] = [
    { username: 'admin', role: 'admin', displayName: '系统管理员', note: '全部功能 all functions' },
    {
      username: 'regulator',
      role: 'regulator',
      displayName: '市局监管员',
      note: '全市监管 city-wide supervision',
    },
    {
      username: 'changan',
      role: 'townOfficer',
      displayName: '长安分局专员',
      note: '长安镇 only',
      townCode: changan.code,
    },
    {
      username: 'enterprise',
      role: 'enterprise',
      displayName: '企业质量负责人',
      note: `企业 ${seeded.sampleUscc.enterprise}`,
      enterpriseUscc: seeded.sampleUscc.enterprise,
    },
    {
      username: 'lab',
      role: 'lab',
      displayName: '检测机构管理员',
      note: `检测机构 ${seeded.sampleUscc.lab}`,
      enterpriseUscc: seeded.sampleUscc.lab,
    },
    {
      username: 'maintenance',
      role: 'maintenanceUnit',
      displayName: '维保单位管理员',
      note: `维保单位 ${seeded.sampleUscc.maintenanceUnit}`,
      enterpriseUscc: seeded.sampleUscc.maintenanceUnit,
    },
  ];
  for (const a of accounts) {
    await createUser({
      ctx,
      actor,
      input: {
        username: a.username,
        password: DEMO_PASSWORD,
        displayName: a.displayName,
        role: a.role as never,
        townCode: a.townCode ?? null,
        enterpriseUscc: a.enterpriseUscc ?? null,
      },
    });
  }
  return { enterprises: seeded.enterprises, accounts };
}
