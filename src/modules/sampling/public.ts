// The portal's view of supervisory sampling (no login): result bulletins per plan and the record
// of each draw. Own presenters, never the internal views: producer name and USCC, product,
// trademark, model, batch, verdict and failed items — no inspector, no signer, no contact, no
// seal number. A failed sample is published once its objection stage is over (accepted, lapsed or
// upheld on re-test); a draw's enterprises only once every task of the plan has been sampled or
// refused (the law keeps the list secret before).
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { notFound } from '../../core/errors.js';
import type { Database } from '../../db/schema.js';
import type { AppContext } from '../../platform/context.js';
import type { Stratum } from './draw.js';
import type { CheckItem, PlanBody } from './model.js';
import { categoryNames } from './refs.js';
import { BulletinListSchema, BulletinSchema, PublicDrawSchema } from './schemas.js';

/** Case states in which a failed result is still open to objection or re-test: not yet published. */
const UNSETTLED = ['opened', 'notified', 'objectionWindow', 'objected', 'retesting'];
const tags = ['public', 'sampling'];
/** As the credit portal: a scraper gets 429 long before the database notices. */
const rateLimit = { max: 120, timeWindow: '1 minute' };

function publishedSamples(db: Kysely<Database>, planId?: string) {
  let q = db
    .selectFrom('sampling_samples as s')
    .innerJoin('enterprises as e', 'e.id', 's.enterprise_id')
    .leftJoin('sampling_cases as c', 'c.sample_id', 's.id')
    .innerJoin('sampling_plans as p', 'p.id', 's.plan_id')
    .where('s.verdict', 'is not', null)
    .where('p.level', '=', 'city')
    .where((eb) =>
      eb.or([
        eb('s.verdict', '=', 'pass'),
        eb.and([eb('s.verdict', '=', 'fail'), eb('c.state', 'not in', UNSETTLED)]),
      ]),
    );
  if (planId) q = q.where('s.plan_id', '=', planId);
  return q;
}

export async function bulletins(db: Kysely<Database>) {
  const rows = await publishedSamples(db)
    .select((eb) => [
      'p.id',
      'p.code',
      'p.title',
      'p.year',
      'p.kind',
      eb.fn.countAll<number>().as('samples'),
      eb.fn.sum<number>(eb.case().when('s.verdict', '=', 'fail').then(1).else(0).end()).as('failed'),
      eb.fn.max('s.reported_on').as('published_on'),
    ])
    .groupBy(['p.id', 'p.code', 'p.title', 'p.year', 'p.kind'])
    .orderBy('p.year', 'desc')
    .orderBy('p.code')
    .execute();
  return {
    items: rows.map((r) => ({
      planId: r.id,
      code: r.code,
      title: r.title,
      year: r.year,
      kind: r.kind,
      samples: Number(r.samples),
      failed: Number(r.failed ?? 0),
      passRate: Number(r.samples)
        ? Math.round((1 - Number(r.failed ?? 0) / Number(r.samples)) * 1000) / 10
        : null,
      publishedOn: r.published_on,
    })),
  };
}

export async function bulletin(db: Kysely<Database>, planId: string) {
  const plan = await db
    .selectFrom('sampling_plans')
    .select(['id', 'code', 'title', 'year', 'kind', 'body', 'state', 'level'])
    .where('id', '=', planId)
    .executeTakeFirst();
  if (!plan || plan.state === 'draft' || plan.level !== 'city')
    throw notFound({ zh: '抽查结果公告', en: 'Bulletin' });
  const rows = await publishedSamples(db, planId)
    .select([
      's.id',
      's.sample_no',
      's.product_name',
      's.category_code',
      's.trademark',
      's.model',
      's.batch',
      's.production_date',
      's.verdict',
      's.severity',
      's.reported_on',
      'e.name',
      'e.uscc',
    ])
    .orderBy('s.sample_no')
    .execute();
  const body = JSON.parse(plan.body) as PlanBody;
  const items = new Map<string, CheckItem>();
  for (const c of body.categories) for (const i of c.checkItems) items.set(`${c.code}/${i.key}`, i);
  const failed = await failedItems(
    db,
    rows.filter((r) => r.verdict === 'fail').map((r) => r.id),
  );
  const cats = await categoryNames(db, [...new Set(rows.map((r) => r.category_code))]);
  return {
    plan: { id: plan.id, code: plan.code, title: plan.title, year: plan.year, kind: plan.kind },
    publishedOn: rows.reduce<string | null>(
      (a, r) => (r.reported_on && (!a || r.reported_on > a) ? r.reported_on : a),
      null,
    ),
    samples: rows.length,
    failed: rows.filter((r) => r.verdict === 'fail').length,
    rows: rows.map((r) => ({
      sampleNo: r.sample_no,
      product: r.product_name,
      category: cats.get(r.category_code)?.name ?? r.category_code,
      producer: { name: r.name, uscc: r.uscc },
      trademark: r.trademark,
      model: r.model,
      batch: r.batch,
      productionDate: r.production_date,
      verdict: r.verdict as 'pass' | 'fail',
      failedItems: (failed.get(r.id) ?? []).map((k) => items.get(`${r.category_code}/${k}`)?.item ?? k),
    })),
  };
}

/** The failed items of each sample, final: a re-test result replaces the original for its item. */
async function failedItems(db: Kysely<Database>, sampleIds: string[]) {
  const out = new Map<string, string[]>();
  for (let i = 0; i < sampleIds.length; i += 500) {
    const rows = await db
      .selectFrom('sampling_results')
      .select(['sample_id', 'item_key', 'round', 'verdict'])
      .where('sample_id', 'in', sampleIds.slice(i, i + 500))
      .orderBy('round') // 'original' before 'retest': the re-test wins
      .execute();
    const final = new Map<string, Map<string, string>>();
    for (const r of rows) {
      const m = final.get(r.sample_id) ?? new Map<string, string>();
      m.set(r.item_key, r.verdict);
      final.set(r.sample_id, m);
    }
    for (const [id, m] of final)
      out.set(
        id,
        [...m]
          .filter(([, v]) => v === 'fail')
          .map(([k]) => k)
          .sort(),
      );
  }
  return out;
}

export async function publicDraw(db: Kysely<Database>, planId: string) {
  const draw = await db
    .selectFrom('sampling_draws as d')
    .innerJoin('sampling_plans as p', 'p.id', 'd.plan_id')
    .select([
      'd.id',
      'd.seed',
      'd.as_of',
      'd.drawn_at',
      'd.rule_set_id',
      'd.rule_set_version',
      'd.record',
      'p.code',
      'p.title',
      'p.year',
      'p.kind',
    ])
    .where('d.plan_id', '=', planId)
    .executeTakeFirst();
  if (!draw) throw notFound({ zh: '抽取记录', en: 'Draw' });
  const record = JSON.parse(draw.record) as {
    output: {
      strata: Stratum[];
      excluded: unknown[];
      poolSize: number;
      items: { enterpriseId: string; categoryCode: string }[];
    };
  };
  const open = await db
    .selectFrom('sampling_tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('draw_id', '=', draw.id)
    .where('state', '=', 'assigned')
    .executeTakeFirstOrThrow();
  const disclosed = Number(open.n) === 0;
  let items: { uscc: string; name: string; category: string }[] = [];
  if (disclosed) {
    const rows = await db
      .selectFrom('sampling_tasks as t')
      .innerJoin('enterprises as e', 'e.id', 't.enterprise_id')
      .select(['e.uscc', 'e.name', 't.category_code'])
      .where('t.draw_id', '=', draw.id)
      .orderBy('t.task_no')
      .execute();
    const cats = await categoryNames(db, [...new Set(rows.map((r) => r.category_code))]);
    items = rows.map((r) => ({
      uscc: r.uscc,
      name: r.name,
      category: cats.get(r.category_code)?.name ?? r.category_code,
    }));
  }
  return {
    plan: { id: planId, code: draw.code, title: draw.title, year: draw.year, kind: draw.kind },
    seed: draw.seed,
    asOf: draw.as_of,
    drawnAt: draw.drawn_at,
    ruleSet: { id: draw.rule_set_id, version: draw.rule_set_version },
    poolSize: record.output.poolSize,
    // Not the drawn count per grade: beside the disclosed list it would tell a small category's grades.
    strata: record.output.strata.map((s) => ({ grade: s.grade, population: s.population, ratio: s.ratio })),
    excludedCount: record.output.excluded.length,
    drawn: record.output.items.length,
    disclosed,
    items,
  };
}

export async function publicSamplingRoutes(app: FastifyInstance, ctx: AppContext) {
  const IdParams = Type.Object({ planId: Type.String({ minLength: 1, maxLength: 40 }) });
  app.get(
    '/api/v1/public/sampling/bulletins',
    {
      config: { policy: 'public', rateLimit },
      schema: {
        tags,
        summary: '监督抽查结果公告 Result bulletins',
        response: { 200: BulletinListSchema },
      },
    },
    async () => bulletins(ctx.db),
  );
  app.get(
    '/api/v1/public/sampling/bulletins/:planId',
    {
      config: { policy: 'public', rateLimit },
      schema: {
        tags,
        summary: '一期抽查结果公告 One bulletin',
        params: IdParams,
        response: { 200: BulletinSchema },
      },
    },
    async (req) => bulletin(ctx.db, (req.params as { planId: string }).planId),
  );
  app.get(
    '/api/v1/public/sampling/draws/:planId',
    {
      config: { policy: 'public', rateLimit },
      schema: {
        tags,
        summary: '双随机抽取公示 The draw of a plan',
        params: IdParams,
        response: { 200: PublicDrawSchema },
      },
    },
    async (req) => publicDraw(ctx.db, (req.params as { planId: string }).planId),
  );
}
