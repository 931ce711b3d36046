// The register of enterprises: reads, search with keyset pagination, and the one write path
// (upsertEnterprises) that the API, the import and the seed all go through, so that every change
// is versioned, audited and announced as an event in the same transaction.
import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import { AppError, type FieldError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { todayInShanghai } from '../../core/workdays.js';
import { containsText, json } from '../../db/codecs.js';
import { heavyRead } from '../../db/read-pool.js';
import type { Database, EnterpriseTable } from '../../db/schema.js';
import { type AuditEntry, diffFields, writeAudit } from '../../platform/audit.js';
import type { Actor, AppContext } from '../../platform/context.js';
import type { EventType } from '../../platform/events/catalogue.js';
import { emitEvents, type NewEvent } from '../../platform/events/outbox.js';
import {
  type EnterpriseInput,
  type RawEnterprise,
  type ReferenceLookup,
  validateEnterprise,
} from './enterprise-input.js';
import {
  loadProductCategoryLookup,
  makesCategorySql,
  productCategoriesOfEnterprise,
  productLinksOf,
  replaceProductLinks,
} from './enterprise-products.js';

export type EnterpriseRow = Selectable<EnterpriseTable>;

/** The fields a person sees and edits, in the shape of EnterpriseInput (for diffs and audit). */
export function rowToInput(r: EnterpriseRow): EnterpriseInput {
  return {
    uscc: r.uscc,
    name: r.name,
    legalRepresentative: r.legal_representative,
    registeredAddress: r.registered_address,
    townCode: r.town_code,
    industryCode: r.industry_code,
    registeredOn: r.registered_on,
    status: r.status as EnterpriseInput['status'],
    scale: r.scale as EnterpriseInput['scale'],
    tags: json.read<string[]>(r.tags, []),
  };
}

/** The enterprises-table columns of validated input (the seed writes them in bulk too). */
export function inputToColumns(v: EnterpriseInput) {
  return {
    uscc: v.uscc,
    name: v.name,
    legal_representative: v.legalRepresentative,
    registered_address: v.registeredAddress,
    town_code: v.townCode,
    industry_code: v.industryCode,
    registered_on: v.registeredOn,
    status: v.status,
    scale: v.scale,
    tags: json.write(v.tags),
  };
}

// --- reference look-ups ------------------------------------------------------------------

export async function loadReferenceLookup(db: Kysely<Database>): Promise<ReferenceLookup> {
  const towns = await db.selectFrom('towns').select(['code', 'name', 'name_en']).execute();
  const industries = await db.selectFrom('industries').select(['code', 'name']).execute();
  const productCategory = await loadProductCategoryLookup(db);
  const townMap = new Map<string, string>();
  for (const t of towns) {
    townMap.set(t.code, t.code);
    townMap.set(t.code.slice(-3), t.code); // the 3-digit town part people often type
    townMap.set(`${t.code}000`, t.code); // 12-digit NBS code
    townMap.set(t.name, t.code);
    townMap.set(t.name.replace(/(街道|镇)$/, ''), t.code); // 虎门 for 虎门镇
    townMap.set(t.name_en.toLowerCase(), t.code);
  }
  const industryMap = new Map<string, string>();
  for (const i of industries) {
    industryMap.set(i.code, i.code);
    industryMap.set(i.name, i.code);
  }
  return {
    town: (raw) => townMap.get(raw) ?? townMap.get(raw.toLowerCase()),
    // Finer GB/T 4754 codes (group 3 digits, class 4 digits, with or without the section letter)
    // roll up to their division, which is what the register keeps.
    industry: (raw) => {
      const s = raw.trim().toUpperCase();
      if (industryMap.has(s)) return industryMap.get(s);
      const m = /^[A-T]?(\d{2})\d{0,2}$/.exec(s);
      return m ? industryMap.get(m[1]!) : industryMap.get(raw.trim());
    },
    productCategory,
  };
}

// --- writes ------------------------------------------------------------------------------

export type UpsertResult = {
  imported: number;
  updated: number;
  unchanged: number;
  ids: string[];
};

/**
 * Inserts new enterprises and updates changed ones, matched by USCC, in the caller's transaction.
 * Unchanged rows are not touched (no version bump, no audit), so importing a file twice is a no-op.
 */
export async function upsertEnterprises(
  trx: Kysely<Database>,
  opts: { actor: Actor; now: Date; rows: EnterpriseInput[]; source: string },
): Promise<UpsertResult> {
  const { actor, now, rows, source } = opts;
  const at = now.toISOString();
  const result: UpsertResult = { imported: 0, updated: 0, unchanged: 0, ids: [] };
  if (rows.length === 0) return result;

  const existing = new Map<string, EnterpriseRow>();
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => r.uscc);
    for (const r of await trx.selectFrom('enterprises').selectAll().where('uscc', 'in', chunk).execute()) {
      existing.set(r.uscc, r);
    }
  }
  // The product categories now, of the enterprises whose new set is given (compared, audited).
  const linked = await productLinksOf(
    trx,
    rows.flatMap((v) => {
      const old = v.productCategories === undefined ? undefined : existing.get(v.uscc);
      return old ? [old.id] : [];
    }),
  );

  const inserts: Database['enterprises'][] = [];
  const tagRows: Database['enterprise_tags'][] = [];
  const audits: AuditEntry[] = [];
  const events: NewEvent<EventType>[] = [];
  const retag: string[] = [];
  const newLinks: { enterpriseId: string; codes: string[] }[] = [];
  const relink: { enterpriseId: string; codes: string[] }[] = [];

  for (const v of rows) {
    const old = existing.get(v.uscc);
    if (!old) {
      const id = newId();
      inserts.push({ id, ...inputToColumns(v), created_at: at, updated_at: at, version: 1 });
      for (const tag of v.tags) tagRows.push({ enterprise_id: id, tag });
      if (v.productCategories?.length) newLinks.push({ enterpriseId: id, codes: v.productCategories });
      audits.push({
        actor,
        action: 'enterprise.create',
        resourceType: 'enterprise',
        resourceId: id,
        enterpriseId: id,
        before: null,
        after: v,
        at: now,
      });
      events.push({
        type: 'registry.enterprise.created',
        occurredAt: now,
        enterpriseId: id,
        aggregateId: id,
        payload: { enterpriseId: id, uscc: v.uscc, name: v.name, source },
      });
      result.imported++;
      result.ids.push(id);
      continue;
    }
    const before = withProductCategories(rowToInput(old), v, linked.get(old.id));
    const changes = diffFields(before, v);
    result.ids.push(old.id);
    if (changes.length === 0) {
      result.unchanged++;
      continue;
    }
    await trx
      .updateTable('enterprises')
      .set({ ...inputToColumns(v), updated_at: at, version: old.version + 1 })
      .where('id', '=', old.id)
      .execute();
    if (changes.some((c) => c.field === 'tags')) {
      retag.push(old.id);
      for (const tag of v.tags) tagRows.push({ enterprise_id: old.id, tag });
    }
    if (changes.some((c) => c.field === 'productCategories'))
      relink.push({ enterpriseId: old.id, codes: v.productCategories ?? [] });
    audits.push({
      actor,
      action: 'enterprise.update',
      resourceType: 'enterprise',
      resourceId: old.id,
      enterpriseId: old.id,
      before,
      after: v,
      at: now,
    });
    events.push({
      type: 'registry.enterprise.updated',
      occurredAt: now,
      enterpriseId: old.id,
      aggregateId: old.id,
      payload: { enterpriseId: old.id, uscc: v.uscc, fields: changes.map((c) => c.field), source },
    });
    if (before.status !== v.status) {
      events.push({
        type: 'registry.enterprise.statusChanged',
        occurredAt: now,
        enterpriseId: old.id,
        aggregateId: old.id,
        payload: { enterpriseId: old.id, uscc: v.uscc, from: before.status, to: v.status },
      });
    }
    result.updated++;
  }

  // 15 columns a row: stay under SQLite's bound-parameter cap.
  for (let i = 0; i < inserts.length; i += 200) {
    await trx
      .insertInto('enterprises')
      .values(inserts.slice(i, i + 200))
      .execute();
  }
  for (let i = 0; i < retag.length; i += 500) {
    await trx
      .deleteFrom('enterprise_tags')
      .where('enterprise_id', 'in', retag.slice(i, i + 500))
      .execute();
  }
  for (let i = 0; i < tagRows.length; i += 500) {
    await trx
      .insertInto('enterprise_tags')
      .values(tagRows.slice(i, i + 500))
      .execute();
  }
  await replaceProductLinks(trx, newLinks, at, { fresh: true });
  await replaceProductLinks(trx, relink, at);
  await writeAudit(trx, audits);
  await emitEvents(trx, events, now);
  return result;
}

/**
 * An enterprise's stored fields in the shape of `next`: its product categories are part of the
 * comparison only when `next` states them (absent, they are left as they are).
 */
export function withProductCategories(
  before: EnterpriseInput,
  next: EnterpriseInput,
  linked: readonly string[] | undefined,
): EnterpriseInput {
  return next.productCategories === undefined
    ? before
    : { ...before, productCategories: [...(linked ?? [])] };
}

function validationError(errors: FieldError[]) {
  return new AppError('VALIDATION_FAILED', { fields: errors, message: errors[0]?.message });
}

export async function createEnterprise(ctx: AppContext, actor: Actor, raw: RawEnterprise) {
  const refs = await loadReferenceLookup(ctx.db);
  const v = validateEnterprise(raw, refs, todayInShanghai(ctx.clock.now()));
  if (!v.ok) throw validationError(v.errors);
  return ctx.db.transaction().execute(async (trx) => {
    const dup = await trx
      .selectFrom('enterprises')
      .select('id')
      .where('uscc', '=', v.value.uscc)
      .executeTakeFirst();
    if (dup)
      throw new AppError('ALREADY_EXISTS', {
        fields: [
          {
            field: 'uscc',
            code: 'DUPLICATE',
            message: { zh: '该统一社会信用代码已登记', en: 'This USCC is already registered' },
          },
        ],
        message: { zh: '该统一社会信用代码已登记', en: 'This USCC is already registered' },
      });
    const r = await upsertEnterprises(trx, { actor, now: ctx.clock.now(), rows: [v.value], source: 'api' });
    return r.ids[0]!;
  });
}

/** Applies a partial change with optimistic locking on `version`. */
export async function updateEnterprise(
  ctx: AppContext,
  actor: Actor,
  uscc: string,
  patch: RawEnterprise & { version?: number },
) {
  const refs = await loadReferenceLookup(ctx.db);
  return ctx.db.transaction().execute(async (trx) => {
    const old = await trx.selectFrom('enterprises').selectAll().where('uscc', '=', uscc).executeTakeFirst();
    if (!old) throw notFound({ zh: '企业', en: 'Enterprise' });
    if (patch.version !== undefined && patch.version !== old.version) throw new AppError('CONFLICT');
    if (patch.uscc !== undefined && patch.uscc !== old.uscc)
      throw new AppError('VALIDATION_FAILED', {
        fields: [
          {
            field: 'uscc',
            code: 'IMMUTABLE',
            message: { zh: '统一社会信用代码不可修改', en: 'The USCC cannot change' },
          },
        ],
      });
    const { version: _v, ...fields } = patch;
    const merged = { ...rowToInput(old), ...fields, uscc: old.uscc };
    const linked = (await productLinksOf(trx, [old.id])).get(old.id) ?? [];
    const v = validateEnterprise(merged, refs, todayInShanghai(ctx.clock.now()), {
      linkedProductCategories: linked,
    });
    if (!v.ok) throw validationError(v.errors);
    await upsertEnterprises(trx, { actor, now: ctx.clock.now(), rows: [v.value], source: 'api' });
    return old.id;
  });
}

// --- reads -------------------------------------------------------------------------------

export async function findEnterpriseByUscc(db: Kysely<Database>, uscc: string) {
  return db.selectFrom('enterprises').selectAll().where('uscc', '=', uscc).executeTakeFirst();
}

export async function findEnterpriseById(db: Kysely<Database>, id: string) {
  return db.selectFrom('enterprises').selectAll().where('id', '=', id).executeTakeFirst();
}

export type EnterpriseFilter = {
  q?: string;
  town?: string;
  industry?: string; // section letter or division code
  status?: string;
  scale?: string;
  tag?: string;
  /** A product-category code: enterprises making it or anything under it in the catalogue. */
  productCategory?: string;
  /** Scope from the viewer's role: limits what the list may contain. */
  scope?: { townCode?: string; enterpriseId?: string };
};

export type Cursor = { name: string; id: string };
export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.name, c.id])).toString('base64url');
export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string')
      return { name: v[0], id: v[1] };
  } catch {}
  throw new AppError('VALIDATION_FAILED', {
    fields: [
      { field: 'cursor', code: 'INVALID_CURSOR', message: { zh: '分页游标无效', en: 'Invalid cursor' } },
    ],
  });
}

const USCC_PREFIX = /^[0-9A-HJ-NP-RTUWXY]{2,18}$/;

export function enterpriseQuery(ctx: AppContext, f: EnterpriseFilter) {
  let q = ctx.db
    .selectFrom('enterprises as e')
    .leftJoin('towns as t', 't.code', 'e.town_code')
    .leftJoin('industries as i', 'i.code', 'e.industry_code');
  if (f.scope?.townCode) q = q.where('e.town_code', '=', f.scope.townCode);
  if (f.scope?.enterpriseId) q = q.where('e.id', '=', f.scope.enterpriseId);
  if (f.town) q = q.where('e.town_code', '=', f.town);
  if (f.industry) {
    const ind = f.industry.toUpperCase();
    q = /^[A-T]$/.test(ind) ? q.where('i.section', '=', ind) : q.where('e.industry_code', '=', ind);
  }
  if (f.status) q = q.where('e.status', '=', f.status);
  if (f.scale) q = q.where('e.scale', '=', f.scale);
  if (f.tag) {
    const tag = f.tag;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('enterprise_tags as g')
          .select('g.tag')
          .whereRef('g.enterprise_id', '=', 'e.id')
          .where('g.tag', '=', tag),
      ),
    );
  }
  if (f.productCategory) q = q.where(makesCategorySql(f.productCategory));
  const text = f.q?.trim();
  if (text) {
    const upper = text.toUpperCase();
    // A USCC prefix is a range on the unique index: every USCC character sorts at or below 'Y'.
    const usccRange = (eb: ExpressionBuilder<any, any>) =>
      eb.and([eb('e.uscc', '>=', upper), eb('e.uscc', '<=', upper.padEnd(18, 'Y'))]);
    const looksLikeUscc = USCC_PREFIX.test(upper) && /\d/.test(upper);
    if (upper.length === 18 && USCC_PREFIX.test(upper)) q = q.where('e.uscc', '=', upper);
    // six or more code characters with a digit: nobody types that for a name
    else if (looksLikeUscc && upper.length >= 6) q = q.where(usccRange);
    else if (looksLikeUscc)
      q = q.where((eb) => eb.or([usccRange(eb), containsText(ctx.dialect, eb.ref('e.name'), text)]));
    else q = q.where((eb) => containsText(ctx.dialect, eb.ref('e.name'), text));
  }
  return q;
}

export async function searchEnterprises(
  ctx: AppContext,
  f: EnterpriseFilter & { cursor?: string; limit?: number },
) {
  const limit = Math.min(Math.max(f.limit ?? 20, 1), 200);
  const cursor = decodeCursor(f.cursor);
  let q = enterpriseQuery(ctx, f).select([
    'e.id',
    'e.uscc',
    'e.name',
    'e.legal_representative',
    'e.registered_address',
    'e.town_code',
    't.name as town_name',
    'e.industry_code',
    'i.name as industry_name',
    'e.registered_on',
    'e.status',
    'e.scale',
    'e.tags',
    'e.updated_at',
  ]);
  if (cursor)
    q = q.where((eb) =>
      eb.or([
        eb('e.name', '>', cursor.name),
        eb.and([eb('e.name', '=', cursor.name), eb('e.id', '>', cursor.id)]),
      ]),
    );
  // a substring search may walk the whole name index: off the event loop, gated, time-limited
  const rows = await heavyRead(
    ctx.db,
    q
      .orderBy('e.name')
      .orderBy('e.id')
      .limit(limit + 1),
  );
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ name: last.name, id: last.id }) : null,
  };
}

export type EnterpriseListItem = Awaited<ReturnType<typeof searchEnterprises>>['items'][number];

export async function enterpriseDetail(ctx: AppContext, uscc: string) {
  const e = await ctx.db
    .selectFrom('enterprises as e')
    .leftJoin('towns as t', 't.code', 'e.town_code')
    .leftJoin('industries as i', 'i.code', 'e.industry_code')
    .selectAll('e')
    .select(['t.name as town_name', 'i.name as industry_name'])
    .where('e.uscc', '=', uscc)
    .executeTakeFirst();
  if (!e) return null;
  const [profiles, contacts, productCategories] = await Promise.all([
    ctx.db
      .selectFrom('enterprise_profiles')
      .selectAll()
      .where('enterprise_id', '=', e.id)
      .orderBy('kind')
      .execute(),
    ctx.db
      .selectFrom('enterprise_contacts')
      .selectAll()
      .where('enterprise_id', '=', e.id)
      .orderBy('created_at')
      .execute(),
    productCategoriesOfEnterprise(ctx.db, e.id),
  ]);
  return { ...e, profiles, contacts, productCategories };
}

export type EnterpriseDetail = NonNullable<Awaited<ReturnType<typeof enterpriseDetail>>>;

export async function enterpriseHistory(ctx: AppContext, enterpriseId: string) {
  const rows = await ctx.db
    .selectFrom('audit_log')
    .selectAll()
    .where('resource_type', '=', 'enterprise')
    .where('resource_id', '=', enterpriseId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor_label,
    action: r.action,
    changes: diffFields(json.read(r.before, null), json.read(r.after, null)),
  }));
}

export async function overviewStats(ctx: AppContext, scope: EnterpriseFilter['scope']) {
  const base = () => enterpriseQuery(ctx, { scope });
  const [byStatus, byScale, byTown, bySection] = await Promise.all([
    base()
      .select(['e.status as k', sql<number>`count(*)`.as('n')])
      .groupBy('e.status')
      .execute(),
    base()
      .select(['e.scale as k', sql<number>`count(*)`.as('n')])
      .groupBy('e.scale')
      .execute(),
    base()
      .select(['e.town_code as code', 't.name as name', 't.sort as sort', sql<number>`count(*)`.as('n')])
      .groupBy(['e.town_code', 't.name', 't.sort'])
      .orderBy('t.sort')
      .execute(),
    base()
      .leftJoin('industries as s', 's.code', 'i.section')
      .select(['i.section as code', 's.name as name', sql<number>`count(*)`.as('n')])
      .groupBy(['i.section', 's.name'])
      .orderBy('i.section')
      .execute(),
  ]);
  const total = byStatus.reduce((a, r) => a + Number(r.n), 0);
  return {
    total,
    byStatus: Object.fromEntries(byStatus.map((r) => [r.k, Number(r.n)])),
    byScale: Object.fromEntries(byScale.map((r) => [r.k ?? 'unknown', Number(r.n)])),
    byTown: byTown.map((r) => ({ code: r.code, name: r.name ?? r.code, count: Number(r.n) })),
    bySection: bySection.map((r) => ({ code: r.code ?? '-', name: r.name ?? '未分类', count: Number(r.n) })),
  };
}
