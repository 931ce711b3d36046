// First-run demo city: every module's demo data (in MODULES order: the register, the credit
// archive, the sampling plans and results) and one account per role. `serve` loads both into an
// empty database; `seed --scale demo` adds the accounts to the city it seeds (idempotent). The
// officials' accounts go on the sampling inspector register as they are made. The start-up banner
// lists the accounts that exist, or says how to add one.

import { MODULES } from '../modules/index.js';
import { DEMO_SEED, existingSamples, type SampleUscc } from '../modules/registry/seed.js';
import { enrolInspectors } from '../modules/sampling/seed.js';
import { createUser } from '../platform/auth/users.js';
import type { AppContext } from '../platform/context.js';
import { systemActor } from '../platform/context.js';

export const DEMO_PASSWORD = 'Zhihui@2026';

export type DemoAccount = { username: string; role: string; displayName: string; note: string };

const CHANGAN = '长安镇';

type DemoSpec = DemoAccount & { town?: string; sample?: keyof SampleUscc };

/** One account per role; the town officer works in 长安镇, the others belong to sample enterprises. */
export const DEMO_ACCOUNTS: readonly DemoSpec[] = [
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
    town: CHANGAN,
  },
  {
    username: 'enterprise',
    role: 'enterprise',
    displayName: '企业质量负责人',
    note: '企业 enterprise',
    sample: 'enterprise',
  },
  { username: 'lab', role: 'lab', displayName: '检测机构管理员', note: '检测机构 lab', sample: 'lab' },
  {
    username: 'maintenance',
    role: 'maintenanceUnit',
    displayName: '维保单位管理员',
    note: '维保单位 maintenance unit',
    sample: 'maintenanceUnit',
  },
];

/**
 * Creates the demo accounts that do not exist yet (by username), bound to the sample enterprises of
 * the seeded register, and puts the officials among them (regulator, town officer) on the sampling
 * inspector register, so that they can be drawn for tasks and sample. An account whose town or
 * enterprise is missing is skipped, not an error. Returns the accounts created by this call.
 */
export async function ensureDemoAccounts(ctx: AppContext, sample?: SampleUscc): Promise<DemoAccount[]> {
  const existing = new Set(
    (await ctx.db.selectFrom('users').select('username').execute()).map((u) => u.username),
  );
  const wanted = DEMO_ACCOUNTS.filter((a) => !existing.has(a.username));
  if (wanted.length === 0) return [];
  const samples = sample ?? (await existingSamples(ctx.db));
  const town = await ctx.db.selectFrom('towns').select('code').where('name', '=', CHANGAN).executeTakeFirst();
  const actor = systemActor('seed');
  const created: DemoAccount[] = [];
  const ids: string[] = [];
  for (const a of wanted) {
    const enterpriseUscc = a.sample ? samples[a.sample] || null : null;
    if (a.sample && !enterpriseUscc) continue;
    if (a.town && !town) continue;
    const user = await createUser({
      ctx,
      actor,
      input: {
        username: a.username,
        password: DEMO_PASSWORD,
        displayName: a.displayName,
        role: a.role as never,
        townCode: a.town ? town!.code : null,
        enterpriseUscc,
      },
    });
    ids.push(user.id);
    created.push({
      username: a.username,
      role: a.role,
      displayName: a.displayName,
      note: enterpriseUscc ? `${a.note} ${enterpriseUscc}` : a.note,
    });
  }
  await enrolInspectors(ctx, ids);
  return created;
}

/** Loads the demo city and its accounts into an empty database; null when it holds anything. */
export async function ensureDemoData(
  ctx: AppContext,
  opts: { seed?: number; onProgress?: (d: number, t: number) => void } = {},
) {
  const hasEnterprises = await ctx.db.selectFrom('enterprises').select('id').limit(1).executeTakeFirst();
  const hasUsers = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (hasEnterprises || hasUsers) return null;
  const seed = opts.seed ?? DEMO_SEED;
  for (const m of MODULES) await m.seed?.(ctx, { scale: 'demo', seed, onProgress: opts.onProgress });
  const accounts = await ensureDemoAccounts(ctx);
  const enterprises = await ctx.db
    .selectFrom('enterprises')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { enterprises: Number(enterprises.n), accounts };
}

/**
 * The accounts part of the start-up banner: the accounts that exist (the demo password beside the
 * demo ones), or, when there is none, the command that adds one.
 */
export function accountsBanner(users: { username: string; role: string }[], total = users.length): string {
  if (users.length === 0) {
    return [
      '尚无账号，请先添加管理员 No account yet — add an administrator:',
      "  npx zhihui users add --username admin --role admin --password '<至少10位 at least 10 chars>'",
      '  （或载入演示数据 or load the demo city: npx zhihui seed --scale demo）',
    ].join('\n');
  }
  const demoNames = new Set(DEMO_ACCOUNTS.map((a) => a.username));
  const lines = users.map(
    (u) => `  ${u.username.padEnd(12)} ${u.role}${demoNames.has(u.username) ? '  (demo)' : ''}`,
  );
  if (total > users.length) lines.push(`  … 共 ${total} 个 ${total} in all`);
  const head = users.some((u) => demoNames.has(u.username))
    ? `账号 Accounts (演示账号密码 demo password: ${DEMO_PASSWORD}):`
    : '账号 Accounts:';
  return [head, ...lines].join('\n');
}
