// The inspector register (检查人员名录) and the referrals that add an enterprise to the next draw.
// An inspector is a regulator or town officer with a profile: the town they work in (none: the
// whole city) and the enterprises they declared a conflict of interest with.
import type { Kysely } from 'kysely';
import { AppError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import type { Actor, AppContext } from '../../platform/context.js';
import { normalizeUscc } from '../registry/index.js';
import { categoryNames, enterprisesByIds, townNames } from './refs.js';

const INSPECTOR_ROLES = ['regulator', 'townOfficer'];

export async function listInspectors(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('sampling_inspectors as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select(['i.user_id', 'u.username', 'u.display_name', 'u.role', 'i.town_code', 'i.active', 'i.conflicts'])
    .orderBy('u.username')
    .execute();
  const conflicts = rows.map((r) => JSON.parse(r.conflicts) as { enterpriseId: string; reason: string }[]);
  const names = await enterprisesByIds(
    db,
    conflicts.flat().map((c) => c.enterpriseId),
  );
  return rows.map((r, i) => ({
    userId: r.user_id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    townCode: r.town_code,
    active: r.active === 1,
    conflicts: conflicts[i]!.map((c) => ({
      enterpriseId: c.enterpriseId,
      uscc: names.get(c.enterpriseId)?.uscc ?? '',
      name: names.get(c.enterpriseId)?.name ?? '',
      reason: c.reason,
    })),
  }));
}

/** Users who may be put on the register. */
export async function inspectorCandidates(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'role', 'town_code'])
    .where('role', 'in', INSPECTOR_ROLES)
    .where('active', '=', 1)
    .orderBy('username')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    townCode: r.town_code,
  }));
}

export type InspectorInput = {
  townCode: string | null;
  active: boolean;
  conflicts: { uscc: string; reason: string }[];
};

export async function putInspector(ctx: AppContext, actor: Actor, userId: string, input: InspectorInput) {
  const user = await ctx.db
    .selectFrom('users')
    .select(['id', 'role', 'town_code', 'active'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw notFound({ zh: '用户', en: 'User' });
  if (!INSPECTOR_ROLES.includes(user.role))
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        {
          field: 'userId',
          code: 'NOT_AN_OFFICIAL',
          message: {
            zh: '检查人员须为市局或镇街监管人员',
            en: 'An inspector is a regulator or a town officer',
          },
        },
      ],
    });
  if (input.townCode !== null && !(await townNames(ctx.db)).has(input.townCode))
    throw new AppError('UNKNOWN_TOWN', {
      fields: [
        { field: 'townCode', code: 'UNKNOWN_TOWN', message: { zh: '未知的镇街', en: 'Unknown town' } },
      ],
    });
  const conflicts: { enterpriseId: string; reason: string }[] = [];
  for (const [i, c] of input.conflicts.entries()) {
    const e = await ctx.db
      .selectFrom('enterprises')
      .select('id')
      .where('uscc', '=', normalizeUscc(c.uscc))
      .executeTakeFirst();
    if (!e)
      throw new AppError('VALIDATION_FAILED', {
        fields: [
          {
            field: `conflicts.${i}.uscc`,
            code: 'UNKNOWN_ENTERPRISE',
            message: { zh: `未找到企业：${c.uscc}`, en: `No enterprise with USCC ${c.uscc}` },
          },
        ],
      });
    if (!c.reason.trim())
      throw new AppError('VALIDATION_FAILED', {
        fields: [
          {
            field: `conflicts.${i}.reason`,
            code: 'REQUIRED',
            message: { zh: '请说明利害关系', en: 'State the conflict' },
          },
        ],
      });
    if (!conflicts.some((x) => x.enterpriseId === e.id))
      conflicts.push({ enterpriseId: e.id, reason: c.reason.trim() });
  }
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('sampling_inspectors')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const row = {
      user_id: userId,
      town_code: input.townCode,
      active: input.active ? 1 : 0,
      conflicts: JSON.stringify(conflicts),
      updated_at: now,
    };
    if (before) await trx.updateTable('sampling_inspectors').set(row).where('user_id', '=', userId).execute();
    else
      await trx
        .insertInto('sampling_inspectors')
        .values({ ...row, created_at: now })
        .execute();
    await writeAudit(trx, {
      actor,
      action: before ? 'sampling.inspector.update' : 'sampling.inspector.add',
      resourceType: 'samplingInspector',
      resourceId: userId,
      before: before
        ? { townCode: before.town_code, active: before.active === 1, conflicts: JSON.parse(before.conflicts) }
        : null,
      after: { townCode: input.townCode, active: input.active, conflicts },
      at: ctx.clock.now(),
    });
  });
  return (await listInspectors(ctx.db)).find((i) => i.userId === userId)!;
}

export type ReferralInput = {
  uscc: string;
  categoryCode: string | null;
  reason: 'complaint' | 'referral';
  reference: string;
  note: string | null;
};

export async function addReferral(ctx: AppContext, actor: Actor, input: ReferralInput) {
  const e = await ctx.db
    .selectFrom('enterprises')
    .select(['id', 'uscc', 'name'])
    .where('uscc', '=', normalizeUscc(input.uscc))
    .executeTakeFirst();
  if (!e)
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        {
          field: 'uscc',
          code: 'UNKNOWN_ENTERPRISE',
          message: { zh: '未找到该企业', en: 'No such enterprise' },
        },
      ],
    });
  if (
    input.categoryCode !== null &&
    !(await categoryNames(ctx.db, [input.categoryCode])).has(input.categoryCode)
  )
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        {
          field: 'categoryCode',
          code: 'UNKNOWN_CATEGORY',
          message: { zh: '未知的产品类别', en: 'Unknown product category' },
        },
      ],
    });
  if (!input.reference.trim())
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        {
          field: 'reference',
          code: 'REQUIRED',
          message: { zh: '请填写投诉或移送文号', en: 'The complaint or referral number is required' },
        },
      ],
    });
  const row = {
    id: newId(),
    enterprise_id: e.id,
    category_code: input.categoryCode,
    reason: input.reason,
    reference: input.reference.trim(),
    note: input.note?.trim() || null,
    created_at: ctx.clock.now().toISOString(),
    created_by: actor.id ?? actor.label,
    draw_id: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('sampling_referrals').values(row).execute();
    await writeAudit(trx, {
      actor,
      action: 'sampling.referral.add',
      resourceType: 'samplingReferral',
      resourceId: row.id,
      enterpriseId: e.id,
      after: { uscc: e.uscc, categoryCode: row.category_code, reason: row.reason, reference: row.reference },
      at: ctx.clock.now(),
    });
  });
  return (await listReferrals(ctx.db, false)).find((r) => r.id === row.id)!;
}

export async function listReferrals(db: Kysely<Database>, openOnly: boolean) {
  let q = db.selectFrom('sampling_referrals').selectAll().orderBy('created_at', 'desc');
  if (openOnly) q = q.where('draw_id', 'is', null);
  const rows = await q.limit(500).execute();
  const names = await enterprisesByIds(
    db,
    rows.map((r) => r.enterprise_id),
  );
  return rows.map((r) => ({
    id: r.id,
    enterprise: {
      id: r.enterprise_id,
      uscc: names.get(r.enterprise_id)?.uscc ?? '',
      name: names.get(r.enterprise_id)?.name ?? '',
    },
    categoryCode: r.category_code,
    reason: r.reason,
    reference: r.reference,
    note: r.note,
    createdAt: r.created_at,
    drawId: r.draw_id,
  }));
}
