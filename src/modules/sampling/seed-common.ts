// What the demo and city sampling seeds share: the set-up read from the register (categories with
// makers, labs), the staff inspectors, the decisions about failures, and small date helpers.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { fixedClock } from '../../core/clock.js';
import type { WorkdayCalendar } from '../../core/workdays.js';
import type { Database } from '../../db/schema.js';
import type { AuthUser, Role } from '../../platform/auth/policies.js';
import { createUser, updateUser } from '../../platform/auth/users.js';
import { type AppContext, systemActor } from '../../platform/context.js';
import { credit } from '../credit/index.js';
import { createRng, makersOf, type Rng } from '../registry/index.js';
import type { SeedOptions } from '../types.js';
import { putInspector } from './inspectors.js';
import { type CategoryTemplate, categoryTemplates, failingItems } from './seed-templates.js';

export const SEED_ACTOR = systemActor('seed');

/** The share of final failures each plan aims at (pass rate about 95 %). */
export const FAIL_SHARE = 0.05;
/** How much likelier a failure is for an enterprise the draw saw at each grade. */
export const GRADE_FAIL_WEIGHT: Record<string, number> = { A: 0.5, B: 1, C: 4, D: 8 };
export const REFUSAL_CHANCE = 0.015;
export const LEGAL_BASIS =
  '《中华人民共和国产品质量法》第十五条；《产品质量监督抽查管理暂行办法》（国家市场监督管理总局令第18号）';

export type Lab = { id: string; uscc: string };
export type Setup = {
  asOf: string;
  years: number[];
  lastYear: number;
  templates: Map<string, CategoryTemplate>;
  /** template categories with enough operating makers, in code order */
  categories: string[];
  labs: Lab[];
  /** the lab the demo 'lab' account belongs to (the first operating lab, as the account's rule) */
  demoLab: string;
  labOf: Map<string, string>;
  r: Rng;
};

/** The seed day's year when the year's first plan has had time to be sampled, else the one before. */
export function lastPlanYear(asOf: string) {
  const y = Number(asOf.slice(0, 4));
  return asOf >= `${y}-04-15` ? y : y - 1;
}

export async function prepare(ctx: AppContext, opts: SeedOptions, asOf: string): Promise<Setup | null> {
  const lastYear = lastPlanYear(asOf);
  const years = [lastYear - 3, lastYear - 2, lastYear - 1, lastYear];
  const templates = categoryTemplates();
  const active = await ctx.db
    .selectFrom('product_categories')
    .select('code')
    .where('active', '=', 1)
    .where('code', 'in', [...templates.keys()])
    .execute();
  const makers = await makersOf(ctx.db, { categoryCodes: active.map((c) => c.code) });
  const count = new Map<string, number>();
  for (const m of makers)
    if (m.status === 'operating') count.set(m.categoryCode, (count.get(m.categoryCode) ?? 0) + 1);
  const categories = [...count.entries()]
    .filter(([, n]) => n >= 3)
    .map(([c]) => c)
    .sort();
  const labs = await ctx.db
    .selectFrom('enterprise_profiles as p')
    .innerJoin('enterprises as e', 'e.id', 'p.enterprise_id')
    .select(['e.id', 'e.uscc'])
    .where('p.kind', '=', 'lab')
    .where('e.status', '=', 'operating')
    .orderBy('e.id')
    .execute();
  if (categories.length === 0 || labs.length === 0) return null;
  // The demo account's lab tests the electrical products; the other labs take the rest in turn.
  const demoLab = labs[0]!.id;
  const others = labs.length > 1 ? labs.slice(1) : labs;
  const labOf = new Map<string, string>();
  categories.forEach((c, i) => {
    labOf.set(c, c.startsWith('01') ? demoLab : others[i % others.length]!.id);
  });
  return { asOf, years, lastYear, templates, categories, labs, demoLab, labOf, r: createRng(opts.seed, 31) };
}

/** The credit module's full regrade as of the seed day (the steps regraded as of their own days). */
export async function regradeAsOf(ctx: AppContext, asOf: string) {
  const job = credit.jobs?.find((j) => j.name === 'credit.monthlyRegrade');
  if (!job) throw new Error('The credit module has no monthly regrade job');
  await job.run(atInstant(ctx, `${asOf}T18:00:00+08:00`), asOf.slice(0, 7));
}

export const atInstant = (ctx: AppContext, iso: string): AppContext => ({ ...ctx, clock: fixedClock(iso) });

/** The next working day on or after `d`. */
export const workday = (cal: WorkdayCalendar, d: string) => (cal.isWorkday(d) ? d : cal.addWorkdays(d, 0));

// ---- inspectors -------------------------------------------------------------------------------

/** The register's staff: three city-wide regulators, two town officers in each of three towns. */
export const STAFF_TOWNS = ['441900119', '441900121', '441900122'];
const CONFLICT_REASONS = [
  '配偶在该企业担任质量负责人',
  '曾在该企业任职，离职未满三年',
  '近亲属持有该企业股份',
];
const STAFF_SURNAMES = ['陈', '黄', '李', '张', '梁', '刘', '何', '叶', '钟', '罗', '卢', '莫'];
const STAFF_GIVEN = [
  '志强',
  '伟明',
  '嘉欣',
  '俊杰',
  '丽华',
  '国栋',
  '淑仪',
  '家豪',
  '晓玲',
  '建华',
  '卓伦',
  '秀英',
];

/** A password nobody knows (the account must set its own at first sign-in, after a reset). */
const unknownPassword = () => `${randomBytes(18).toString('base64url')}-Zh9`;

/**
 * Creates the register's staff accounts (usernames insp-<town>-<n>, passwords nobody knows, reset
 * once so that the owner must choose one at sign-in) and puts them on the register; some declare a
 * conflict with makers of their town. Returns the users by id.
 */
export async function seedInspectors(ctx: AppContext, r: Rng): Promise<Map<string, AuthUser>> {
  const towns = await ctx.db
    .selectFrom('towns')
    .select(['code', 'name_en'])
    .where('code', 'in', STAFF_TOWNS)
    .orderBy('code')
    .execute();
  const specs: { username: string; role: Role; townCode: string | null; displayName: string }[] = [];
  for (let i = 1; i <= 3; i++)
    specs.push({ username: `insp-city-${i}`, role: 'regulator', townCode: null, displayName: '' });
  for (const t of towns) {
    const slug = t.name_en.toLowerCase().replace(/[^a-z]/g, '');
    for (let i = 1; i <= 2; i++)
      specs.push({ username: `insp-${slug}-${i}`, role: 'townOfficer', townCode: t.code, displayName: '' });
  }
  const users = new Map<string, AuthUser>();
  for (const [k, s] of specs.entries()) {
    const existing = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', s.username)
      .executeTakeFirst();
    if (existing) {
      users.set(existing.id, await officialUser(ctx.db, existing.id));
      continue;
    }
    const displayName = `${STAFF_SURNAMES[k % STAFF_SURNAMES.length]}${STAFF_GIVEN[(k * 5) % STAFF_GIVEN.length]}`;
    const created = await createUser({
      ctx,
      actor: SEED_ACTOR,
      input: {
        username: s.username,
        password: unknownPassword(),
        displayName,
        role: s.role,
        townCode: s.townCode,
      },
    });
    // A password someone else set must be replaced by its owner at sign-in.
    await updateUser({ ctx, actor: SEED_ACTOR, id: created.id, patch: { password: unknownPassword() } });
    users.set(created.id, {
      id: created.id,
      username: s.username,
      displayName,
      role: s.role,
      townCode: s.townCode,
      enterpriseId: null,
      via: 'session',
    });
  }
  // Declared conflicts: the first town officer of each town with two makers of the town, one
  // city-wide inspector with one maker.
  const makers = await ctx.db
    .selectFrom('enterprise_products as p')
    .innerJoin('enterprises as e', 'e.id', 'p.enterprise_id')
    .select(['e.uscc', 'e.town_code'])
    .distinct()
    .where('e.status', '=', 'operating')
    .orderBy('e.uscc')
    .execute();
  for (const u of users.values()) {
    const mine = makers.filter((m) => u.townCode === null || m.town_code === u.townCode);
    const n =
      u.username.endsWith('-1') && u.role === 'townOfficer' ? 2 : u.username === 'insp-city-2' ? 1 : 0;
    const conflicts: { uscc: string; reason: string }[] = [];
    while (conflicts.length < Math.min(n, mine.length)) {
      const m = mine[r.int(mine.length)]!;
      if (!conflicts.some((c) => c.uscc === m.uscc))
        conflicts.push({ uscc: m.uscc, reason: CONFLICT_REASONS[r.int(CONFLICT_REASONS.length)]! });
    }
    await putInspector(ctx, SEED_ACTOR, u.id, { townCode: u.townCode, active: true, conflicts });
  }
  return users;
}

export async function officialUser(db: Kysely<Database>, id: string): Promise<AuthUser> {
  const u = await db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'role', 'town_code', 'enterprise_id'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role as Role,
    townCode: u.town_code,
    enterpriseId: u.enterprise_id,
    via: 'session',
  };
}

// ---- small helpers ------------------------------------------------------------------------------

/** Days from a to b (ISO dates). */
export const dayDiff = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
/** An integer in [lo, hi]. */
export const between = (r: Rng, lo: number, hi: number) => lo + r.int(hi - lo + 1);

const SURNAMES = [
  '陈',
  '黄',
  '李',
  '张',
  '梁',
  '刘',
  '何',
  '叶',
  '钟',
  '罗',
  '卢',
  '莫',
  '袁',
  '郑',
  '林',
  '蔡',
];
const GIVEN = [
  '伟',
  '敏',
  '杰',
  '婷',
  '强',
  '芳',
  '斌',
  '燕',
  '涛',
  '静',
  '明',
  '霞',
  '鹏',
  '丽',
  '军',
  '娟',
];
/** A Chinese personal name (signers, witnesses). */
export const personName = (r: Rng) =>
  `${r.pick(SURNAMES)}${r.pick(GIVEN)}${r.chance(0.6) ? r.pick(GIVEN) : ''}`;
/** The trademark an enterprise's products carry: its trade name, the two characters after 东莞(市). */
export const tradeName = (name: string) => {
  const core = name.replace(/^东莞(市)?/, '');
  return core.slice(0, 2) || '莞品';
};

/** The items a failing sample fails: one (three times in four) or two, by failWeight; or one of a class. */
export function pickFailing(s: Setup, job: { categoryCode: string }, r: Rng, worst: 'major' | null) {
  const t = s.templates.get(job.categoryCode)!;
  if (worst) {
    const majors = t.items.filter((i) => i.class === worst);
    if (majors.length) return failingItems(majors, 1, r);
  }
  return failingItems(t.items, r.chance(0.25) ? 2 : 1, r);
}

/** A lab other than the original one: the demo account's lab when it did not test the sample. */
export function retestLabFor(s: Setup, job: { lab: string }) {
  if (job.lab !== s.demoLab) return s.demoLab;
  return s.labs.find((l) => l.id !== job.lab)?.id ?? null;
}
