// Test fixtures of the sampling module: a city with makers of a category, a lab, inspectors and a
// published plan, built through the services (the lab profile row is the register's seed data).
import { newId } from '../../core/ids.js';
import { todayInShanghai } from '../../core/workdays.js';
import type { AuthUser } from '../../platform/auth/policies.js';
import { createUser } from '../../platform/auth/users.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { buildEnterprise } from '../../testing/factories.js';
import type { testApp } from '../../testing/http.js';
import { createEnterprise, updateEnterprise } from '../registry/enterprises.js';
import { actOnCase, systemCaseActor } from './cases.js';
import { confirmDraw } from './draw-store.js';
import { recordSample, type SampleInput } from './fieldwork.js';
import { addReferral, putInspector } from './inspectors.js';
import type { ItemClass, PlanBody, PlanKind, PlanLevel } from './model.js';
import { createPlan, publishPlan } from './plans.js';
import { enterResults } from './results.js';

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

// ---- fixtures of the HTTP tests (api, fieldwork, results, public) --------------------------------

export type SamplingTestApp = Awaited<ReturnType<typeof testApp>>;
type Answer = { statusCode: number; body: string; json(): unknown };

const expectStatus = (res: Answer, status: number, what: string) => {
  if (res.statusCode !== status) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
};

/** `field:code` of every field error of a problem answer, sorted. */
export function fieldCodes(res: Answer) {
  const fields = (res.json() as { fields?: { field: string; code: string }[] }).fields ?? [];
  return fields.map((f) => `${f.field}:${f.code}`).sort();
}

/** Puts the named users on the inspector register (active, in `townCode`); returns username → user id. */
export async function registerInspectors(
  t: SamplingTestApp,
  by: string,
  usernames: string[],
  townCode: string | null = null,
) {
  const res = await t.call(by, 'GET', '/api/v1/sampling/candidates');
  const items = (expectStatus(res, 200, 'candidates').items ?? []) as { id: string; username: string }[];
  const ids: Record<string, string> = {};
  for (const name of usernames) {
    const u = items.find((i) => i.username === name);
    if (!u) throw new Error(`${name} is not a candidate inspector`);
    const put = await t.call(by, 'PUT', `/api/v1/sampling/inspectors/${u.id}`, {
      townCode,
      active: true,
      conflicts: [],
    });
    expectStatus(put, 200, `register ${name}`);
    ids[name] = u.id;
  }
  return ids;
}

/** A valid on-site sampling record for a task of planBody() (2 test + 2 backup units). */
export function sampleRecord(over: Record<string, unknown> = {}) {
  return {
    productName: '聚氯乙烯绝缘电缆',
    trademark: '莞缆',
    model: 'BV 2.5',
    standardCode: 'GB/T 5023.3-2008',
    batch: '20260215',
    productionDate: '2026-02-15',
    testUnits: 2,
    backupUnits: 2,
    sealNumbers: ['FT0001', 'FT0002'],
    place: 'factory',
    sampledOn: '2026-03-02',
    confirmation: { signer: '李四', title: '质量经理', confirmed: true },
    ...over,
  };
}

export type DrawnTask = {
  id: string;
  taskNo: string;
  enterprise: { id: string; uscc: string; name: string };
  inspectors: { id: string; displayName: string }[];
  state: string;
  sampleNo: string | null;
  sampleId: string | null;
};

/**
 * A city plan of one category, published and drawn with `seed` by `by` through the API; every
 * enterprise in `referred` is added by a verified complaint. Refer every maker of the category to
 * get exactly those tasks (the grade strata then have nobody left to draw).
 */
export async function drawnPlan(
  t: SamplingTestApp,
  by: string,
  opts: {
    code: string;
    category: string;
    labId: string;
    referred: string[];
    seed?: number;
    year?: number;
    kind?: PlanKind;
    body?: Partial<PlanBody>;
  },
) {
  const plan = expectStatus(
    await t.call(by, 'POST', '/api/v1/sampling/plans', {
      code: opts.code,
      year: opts.year ?? 2026,
      title: `${opts.year ?? 2026}年${opts.code}产品质量监督抽查`,
      kind: opts.kind ?? 'routine',
      level: 'city',
      body: planBody(opts.category, opts.labId, opts.body),
    }),
    201,
    'create plan',
  ) as { id: string; code: string; version: number };
  expectStatus(await t.call(by, 'POST', `/api/v1/sampling/plans/${plan.id}/publish`), 200, 'publish');
  for (const [i, uscc] of opts.referred.entries())
    expectStatus(
      await t.call(by, 'POST', '/api/v1/sampling/referrals', {
        uscc,
        categoryCode: opts.category,
        reason: 'complaint',
        reference: `TS-${opts.code}-${i + 1}`,
      }),
      201,
      `refer ${uscc}`,
    );
  const draw = expectStatus(
    await t.call(by, 'POST', `/api/v1/sampling/plans/${plan.id}/draw`, { seed: opts.seed ?? 7 }),
    201,
    'draw',
  );
  const tasks = expectStatus(
    await t.call(by, 'GET', `/api/v1/sampling/tasks?planId=${plan.id}&pageSize=200`),
    200,
    'tasks',
  ).items as DrawnTask[];
  return { plan, draw, tasks };
}

/**
 * A published city plan whose bulletin lists the operating ones of `usccs`, built through the
 * services (for tests that walk the public routes without signing in): each is linked to
 * `category`, referred, drawn, sampled and tested; the first fails on a critical item and accepts
 * the result (so it is published), the others pass. Dated today.
 */
export async function publishedBulletin(rt: Runtime, usccs: string[], category = '0101') {
  const actor = systemActor('test');
  const today = todayInShanghai(rt.clock.now());
  const year = Number(today.slice(0, 4));
  for (const uscc of usccs) await updateEnterprise(rt, actor, uscc, { productCategories: [category] });
  const lab = await makeLab(rt, '东莞市公开测试检验中心');
  const inspectors: AuthUser[] = [];
  for (const username of ['bulletin.insp1', 'bulletin.insp2']) {
    const u = await createUser({
      ctx: rt,
      actor,
      input: { username, password: `Zhihui@${newId()}`, displayName: username, role: 'regulator' },
    });
    await putInspector(rt, actor, u.id, { townCode: null, active: true, conflicts: [] });
    inspectors.push({
      id: u.id,
      username,
      displayName: username,
      role: 'regulator',
      townCode: null,
      enterpriseId: null,
      via: 'session',
    });
  }
  const plan = await createPlan(rt, actor, {
    code: `DG-${year}-BULLETIN`,
    year,
    title: `${year}年电线电缆产品质量监督抽查`,
    kind: 'routine',
    level: 'city',
    body: planBody(category, lab.id),
  });
  await publishPlan(rt, actor, plan.id);
  for (const [i, uscc] of usccs.entries())
    await addReferral(rt, actor, {
      uscc,
      categoryCode: category,
      reason: 'complaint',
      reference: `TS-BULLETIN-${i + 1}`,
      note: null,
    });
  await confirmDraw(rt, actor, plan.id, 7);
  const tasks = await rt.db
    .selectFrom('sampling_tasks')
    .select(['id', 'inspectors'])
    .where('plan_id', '=', plan.id)
    .orderBy('task_no')
    .execute();
  const labUser: AuthUser = { ...inspectors[0]!, id: newId(), role: 'lab', enterpriseId: lab.id };
  for (const [i, task] of tasks.entries()) {
    const by = inspectors.find((u) => (JSON.parse(task.inspectors) as string[]).includes(u.id))!;
    const { id } = await recordSample(rt, by, actor, task.id, {
      ...sampleRecord({ sampledOn: today, productionDate: null }),
      place: 'factory',
    });
    const fail = i === 0;
    await enterResults(rt, labUser, actor, id, {
      reportedOn: today,
      items: [
        { key: 'i1', measured: '符合', verdict: 'pass' },
        { key: 'i2', measured: fail ? '19.6' : '17.9', verdict: fail ? 'fail' : 'pass' },
        { key: 'i3', measured: '0.72', verdict: 'pass' },
      ],
    });
    if (fail) {
      const kase = await rt.db
        .selectFrom('sampling_cases')
        .select('id')
        .where('sample_id', '=', id)
        .executeTakeFirstOrThrow();
      for (const type of ['notify', 'receive', 'accept'] as const)
        await actOnCase(rt, kase.id, { type }, systemCaseActor('test'));
    }
  }
  return { planId: plan.id, tasks: tasks.length };
}

// ---- fixtures of the draw, draw-store, loop and CLI tests (through the services, no HTTP) ---------

/** Regulators put on the inspector register, as the AuthUsers the services take. */
export async function serviceInspectors(
  rt: Runtime,
  usernames: string[],
  townCode: string | null = null,
): Promise<AuthUser[]> {
  const actor = systemActor('test');
  const out: AuthUser[] = [];
  for (const username of usernames) {
    const u = await createUser({
      ctx: rt,
      actor,
      input: { username, password: `Zhihui@${newId()}`, displayName: username, role: 'regulator' },
    });
    await putInspector(rt, actor, u.id, { townCode, active: true, conflicts: [] });
    out.push({
      id: u.id,
      username,
      displayName: username,
      role: 'regulator',
      townCode: null,
      enterpriseId: null,
      via: 'session',
    });
  }
  return out;
}

/** A user of the lab `lab` as the result services see it (role and enterprise). */
export const labUserOf = (lab: { id: string }): AuthUser => ({
  id: newId(),
  username: 'lab.user',
  displayName: 'lab.user',
  role: 'lab',
  townCode: null,
  enterpriseId: lab.id,
  via: 'session',
});

/** A plan created and published through the services (a city routine plan of planBody by default). */
export async function publishedPlan(
  rt: Runtime,
  o: {
    code: string;
    year: number;
    category: string;
    labId: string;
    kind?: PlanKind;
    level?: PlanLevel;
    body?: Partial<PlanBody>;
  },
) {
  const actor = systemActor('test');
  const plan = await createPlan(rt, actor, {
    code: o.code,
    year: o.year,
    title: `${o.year}年${o.code}产品质量监督抽查`,
    kind: o.kind ?? 'routine',
    level: o.level ?? 'city',
    body: planBody(o.category, o.labId, o.body),
  });
  return publishPlan(rt, actor, plan.id);
}

/** The tasks of a plan as stored, in task-number order. */
export async function tasksOf(rt: Runtime, planId: string) {
  const rows = await rt.db
    .selectFrom('sampling_tasks')
    .select(['id', 'task_no', 'enterprise_id', 'category_code', 'town_code', 'reason', 'inspectors', 'state'])
    .where('plan_id', '=', planId)
    .orderBy('task_no')
    .execute();
  return rows.map((r) => ({ ...r, inspectors: JSON.parse(r.inspectors) as string[] }));
}

/** Records the sample of a task by the first of `inspectors` who holds it (sampled today unless told). */
export async function sampleTask(
  rt: Runtime,
  inspectors: AuthUser[],
  task: { id: string; inspectors: string[] },
  over: Partial<SampleInput> = {},
) {
  const by = inspectors.find((u) => task.inspectors.includes(u.id));
  if (!by) throw new Error(`none of the inspectors holds task ${task.id}`);
  const today = todayInShanghai(rt.clock.now());
  const input = {
    ...sampleRecord({ sampledOn: today, productionDate: null }),
    place: 'factory' as const,
    ...over,
  } as SampleInput;
  return recordSample(rt, by, systemActor('test'), task.id, input);
}

/** The lab's results for a sample of planBody(): all pass, or the item of class `fail` fails. */
export async function testSample(
  rt: Runtime,
  labUser: AuthUser,
  sampleId: string,
  fail: ItemClass | null,
  reportedOn = todayInShanghai(rt.clock.now()),
) {
  const keyOf: Record<ItemClass, string> = { minor: 'i1', critical: 'i2', major: 'i3' };
  return enterResults(rt, labUser, systemActor('test'), sampleId, {
    reportedOn,
    items: ['i1', 'i2', 'i3'].map((key) => ({
      key,
      measured: fail && keyOf[fail] === key ? '不符合' : '符合',
      verdict: fail && keyOf[fail] === key ? ('fail' as const) : ('pass' as const),
    })),
  });
}
