// What the sampling API shows officials, labs and enterprises (the public presenters are apart, in
// public.ts). Confirmation signers and seals appear only to officials and the lab; inspectors'
// names to officials.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { AuthUser, Scope } from '../../platform/auth/policies.js';
import { can } from '../../platform/auth/policies.js';
import { caseOf } from './cases.js';
import { filesOf, loadTask } from './fieldwork.js';
import type { PlanBody } from './model.js';
import { CASE_STATE_LABELS } from './postprocess.js';
import { categoryNames, enterprisesByIds, labs, townNames, userNames } from './refs.js';
import { loadSample } from './results.js';

const isOfficial = (u: AuthUser) =>
  can(u, 'sampling.sample') || can(u, 'sampling.plan') || can(u, 'sampling.process');

export type TaskFilter = { mine?: boolean; state?: string; planId?: string; page: number; pageSize: number };

export async function listTasks(db: Kysely<Database>, user: AuthUser, scope: Scope, f: TaskFilter) {
  let q = db
    .selectFrom('sampling_tasks as t')
    .innerJoin('sampling_plans as p', 'p.id', 't.plan_id')
    .innerJoin('enterprises as e', 'e.id', 't.enterprise_id')
    .leftJoin('sampling_samples as s', 's.task_id', 't.id');
  if (scope.kind === 'town') q = q.where('t.town_code', '=', scope.townCode);
  // The drawn list is secret until the inspectors arrive: an enterprise sees its task once sampled or refused.
  else if (scope.kind === 'enterprise')
    q = q.where('t.enterprise_id', '=', scope.enterpriseId).where('t.state', '!=', 'assigned');
  else if (scope.kind === 'none') q = q.where((eb) => eb.lit(false));
  if (f.mine) q = q.where('t.inspectors', 'like', `%"${user.id}"%`);
  if (f.state) q = q.where('t.state', '=', f.state);
  if (f.planId) q = q.where('t.plan_id', '=', f.planId);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .select([
      't.id',
      't.task_no',
      't.plan_id',
      'p.code as plan_code',
      'p.title as plan_title',
      't.enterprise_id',
      'e.uscc',
      'e.name',
      't.town_code',
      't.category_code',
      't.state',
      't.reason',
      't.inspectors',
      's.sample_no',
      's.id as sample_id',
    ])
    .orderBy('t.task_no')
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize)
    .execute();
  const [towns, cats, names] = await Promise.all([
    townNames(db),
    categoryNames(db, [...new Set(rows.map((r) => r.category_code))]),
    userNames(
      db,
      rows.flatMap((r) => JSON.parse(r.inspectors) as string[]),
    ),
  ]);
  const official = isOfficial(user);
  return {
    total: Number(total.n),
    items: rows.map((r) => ({
      id: r.id,
      taskNo: r.task_no,
      plan: { id: r.plan_id, code: r.plan_code, title: r.plan_title },
      enterprise: { id: r.enterprise_id, uscc: r.uscc, name: r.name },
      townCode: r.town_code,
      townName: towns.get(r.town_code) ?? r.town_code,
      category: { code: r.category_code, name: cats.get(r.category_code)?.name ?? r.category_code },
      state: r.state,
      reason: r.reason.split(':')[0]!,
      inspectors: official
        ? (JSON.parse(r.inspectors) as string[]).map((id) => ({ id, displayName: names.get(id) ?? id }))
        : [],
      sampleNo: r.sample_no,
      sampleId: r.sample_id,
    })),
  };
}

export async function taskDetail(db: Kysely<Database>, user: AuthUser, taskId: string) {
  const t = await loadTask(db, taskId);
  const [towns, cats, names, labRows, files, sampleRow] = await Promise.all([
    townNames(db),
    categoryNames(db, [t.category_code]),
    userNames(db, t.inspectorIds),
    labs(db, t.category?.labEnterpriseId ? [t.category.labEnterpriseId] : []),
    filesOf(db, taskId),
    db.selectFrom('sampling_samples').select('id').where('task_id', '=', taskId).executeTakeFirst(),
  ]);
  const official = isOfficial(user);
  return {
    id: t.id,
    taskNo: t.task_no,
    plan: { id: t.plan_id, code: t.plan_code, title: t.plan_title, kind: t.plan_kind },
    enterprise: { id: t.enterprise_id, uscc: t.uscc, name: t.enterprise_name, address: t.registered_address },
    townCode: t.town_code,
    townName: towns.get(t.town_code) ?? t.town_code,
    category: { code: t.category_code, name: cats.get(t.category_code)?.name ?? t.category_code },
    state: t.state,
    reason: t.reason.split(':')[0]!,
    inspectors: official ? t.inspectorIds.map((id) => ({ id, displayName: names.get(id) ?? id })) : [],
    youAreInspector: t.inspectorIds.includes(user.id),
    checkItems: t.category?.checkItems ?? [],
    testUnits: t.category?.testUnits ?? 0,
    backupUnits: t.category?.backupUnits ?? 0,
    lab: labRows[0] ?? null,
    refusal: t.refusal ? (JSON.parse(t.refusal) as { on: string; note: string; witnesses: string[] }) : null,
    files: files.map((f) => ({ id: f.id, kind: f.kind, filename: f.filename, size: f.size, mime: f.mime })),
    sample: sampleRow ? await sampleDetail(db, user, sampleRow.id) : null,
  };
}

export async function sampleDetail(db: Kysely<Database>, user: AuthUser, sampleId: string) {
  const s = await loadSample(db, sampleId);
  const [cats, labRows, results, caseRow, files, towns] = await Promise.all([
    categoryNames(db, [s.category_code]),
    labs(db, [s.lab_enterprise_id]),
    db
      .selectFrom('sampling_results')
      .select(['item_key', 'round', 'measured', 'verdict', 'item_class', 'lab_enterprise_id'])
      .where('sample_id', '=', sampleId)
      .orderBy('round')
      .orderBy('item_key')
      .execute(),
    db.selectFrom('sampling_cases').selectAll().where('sample_id', '=', sampleId).executeTakeFirst(),
    filesOf(db, s.task_id),
    townNames(db),
  ]);
  const kase = caseRow ? caseOf(caseRow) : null;
  const details = JSON.parse(s.details) as {
    sealNumbers: string[];
    confirmation: { signer: string; title?: string };
  };
  const seesPersonal =
    isOfficial(user) || can(user, 'sampling.result', { enterpriseId: s.lab_enterprise_id });
  return {
    id: s.id,
    sampleNo: s.sample_no,
    task: { id: s.task_id, taskNo: s.task_no },
    plan: { id: s.plan_id, code: s.plan_code, title: s.plan_title },
    enterprise: { id: s.enterprise_id, uscc: s.uscc, name: s.enterprise_name },
    townName: towns.get(s.town_code) ?? s.town_code,
    category: { code: s.category_code, name: cats.get(s.category_code)?.name ?? s.category_code },
    productName: s.product_name,
    trademark: s.trademark,
    model: s.model,
    standardCode: s.standard_code,
    batch: s.batch,
    productionDate: s.production_date,
    testUnits: s.test_units,
    backupUnits: s.backup_units,
    place: s.place,
    sampledOn: s.sampled_on,
    sealNumbers: details.sealNumbers,
    // The signer and their title (the stored record also keeps the always-true `confirmed` flag).
    confirmation: seesPersonal
      ? {
          signer: details.confirmation.signer,
          ...(details.confirmation.title !== undefined ? { title: details.confirmation.title } : {}),
        }
      : null,
    lab: labRows[0] ?? { id: s.lab_enterprise_id, uscc: '', name: '' },
    state: s.state,
    verdict: s.verdict,
    severity: s.severity,
    reportedOn: s.reported_on,
    checkItems: s.checkItems,
    results: results.map((r) => ({
      key: r.item_key,
      round: r.round,
      measured: r.measured,
      verdict: r.verdict,
      itemClass: r.item_class,
    })),
    case: kase
      ? {
          id: kase.id,
          state: kase.state,
          stateLabel: CASE_STATE_LABELS[kase.state],
          dueOn: kase.dueOn,
          retestLabId: kase.retest?.labEnterpriseId ?? null,
          objectionItems: kase.objection?.items ?? [],
        }
      : null,
    files: files
      .filter((f) => f.kind !== 'photo' || seesPersonal)
      .map((f) => ({ id: f.id, kind: f.kind, filename: f.filename, size: f.size })),
  };
}

/** Samples of a lab: those sent to it, and those it re-tests. */
export async function labSamples(db: Kysely<Database>, labId: string, state?: string) {
  const retests = (
    await db
      .selectFrom('sampling_cases')
      .select(['sample_id', 'body'])
      .where('state', '=', 'retesting')
      .execute()
  )
    .filter((r) => caseOf(r).retest?.labEnterpriseId === labId)
    .map((r) => r.sample_id);
  let q = db
    .selectFrom('sampling_samples as s')
    .innerJoin('enterprises as e', 'e.id', 's.enterprise_id')
    .select([
      's.id',
      's.sample_no',
      's.product_name',
      's.model',
      's.sampled_on',
      's.state',
      's.verdict',
      's.category_code',
      'e.name',
      'e.uscc',
      's.lab_enterprise_id',
    ])
    .where((eb) =>
      retests.length
        ? eb.or([eb('s.lab_enterprise_id', '=', labId), eb('s.id', 'in', retests)])
        : eb('s.lab_enterprise_id', '=', labId),
    )
    .orderBy('s.sampled_on', 'desc')
    .limit(500);
  if (state) q = q.where('s.state', '=', state);
  const rows = await q.execute();
  const cats = await categoryNames(db, [...new Set(rows.map((r) => r.category_code))]);
  return rows.map((r) => ({
    id: r.id,
    sampleNo: r.sample_no,
    productName: r.product_name,
    model: r.model,
    sampledOn: r.sampled_on,
    state: r.state,
    verdict: r.verdict,
    category: { code: r.category_code, name: cats.get(r.category_code)?.name ?? r.category_code },
    enterprise: { uscc: r.uscc, name: r.name },
    retest: r.lab_enterprise_id !== labId,
  }));
}

/** An enterprise's own samples, newest first, with their cases. */
export async function enterpriseSamples(db: Kysely<Database>, enterpriseId: string) {
  const rows = await db
    .selectFrom('sampling_samples as s')
    .innerJoin('sampling_plans as p', 'p.id', 's.plan_id')
    .leftJoin('sampling_cases as c', 'c.sample_id', 's.id')
    .select([
      's.id',
      's.sample_no',
      's.product_name',
      's.trademark',
      's.model',
      's.batch',
      's.sampled_on',
      's.state',
      's.verdict',
      's.severity',
      's.reported_on',
      's.category_code',
      'p.title as plan_title',
      'c.id as case_id',
      'c.state as case_state',
      'c.due_on as case_due_on',
    ])
    .where('s.enterprise_id', '=', enterpriseId)
    .orderBy('s.sampled_on', 'desc')
    .limit(500)
    .execute();
  const cats = await categoryNames(db, [...new Set(rows.map((r) => r.category_code))]);
  return rows.map((r) => ({
    id: r.id,
    sampleNo: r.sample_no,
    planTitle: r.plan_title,
    productName: r.product_name,
    trademark: r.trademark,
    model: r.model,
    batch: r.batch,
    sampledOn: r.sampled_on,
    state: r.state,
    verdict: r.verdict,
    severity: r.severity,
    reportedOn: r.reported_on,
    category: { code: r.category_code, name: cats.get(r.category_code)?.name ?? r.category_code },
    case: r.case_id
      ? {
          id: r.case_id,
          state: r.case_state!,
          stateLabel: CASE_STATE_LABELS[r.case_state as keyof typeof CASE_STATE_LABELS],
          dueOn: r.case_due_on,
        }
      : null,
  }));
}

export async function planProgress(db: Kysely<Database>, planId: string) {
  const tasks = await db
    .selectFrom('sampling_tasks')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('plan_id', '=', planId)
    .groupBy('state')
    .execute();
  const verdicts = await db
    .selectFrom('sampling_samples')
    .select(['verdict', (eb) => eb.fn.countAll<number>().as('n')])
    .where('plan_id', '=', planId)
    .groupBy('verdict')
    .execute();
  const t = Object.fromEntries(tasks.map((r) => [r.state, Number(r.n)]));
  const v = Object.fromEntries(verdicts.map((r) => [r.verdict ?? 'pending', Number(r.n)]));
  return {
    tasks: tasks.reduce((a, r) => a + Number(r.n), 0),
    assigned: t.assigned ?? 0,
    refused: t.refused ?? 0,
    sentToLab: t.sentToLab ?? 0,
    tested: t.tested ?? 0,
    passed: v.pass ?? 0,
    failed: v.fail ?? 0,
  };
}

export async function planDetail(db: Kysely<Database>, plan: { id: string; code: string; body: PlanBody }) {
  const [cats, labRows, versions, draw, progress] = await Promise.all([
    categoryNames(
      db,
      plan.body.categories.map((c) => c.code),
    ),
    labs(db, plan.body.categories.map((c) => c.labEnterpriseId).filter(Boolean)),
    db
      .selectFrom('sampling_plans')
      .select(['id', 'version', 'state'])
      .where('code', '=', plan.code)
      .orderBy('version')
      .execute(),
    db
      .selectFrom('sampling_draws')
      .select(['id', 'seed', 'drawn_at', 'as_of'])
      .where('plan_id', '=', plan.id)
      .executeTakeFirst(),
    planProgress(db, plan.id),
  ]);
  return {
    categoryNames: Object.fromEntries([...cats].map(([code, c]) => [code, c.name])),
    labs: Object.fromEntries(labRows.map((l) => [l.id, { uscc: l.uscc, name: l.name }])),
    versions,
    draw: draw ? { id: draw.id, seed: draw.seed, drawnAt: draw.drawn_at, asOf: draw.as_of } : null,
    progress,
  };
}

export { enterprisesByIds };
