// What enterprises make (企业生产的产品类别): links from the register to the product-category
// catalogue. They are written only through upsertEnterprises (the one write path) and the seed's
// bulk load; this file holds the reads: an enterprise's own list, the catalogue look-up the
// validator resolves codes and names with, and the makers of a category that the sampling draw's
// pool is built from.
//
// The catalogue is a tree by parent_code: a parent is a shorter prefix of its children's codes,
// and codes have 2, 4 or 6 digits, so the tree has at most three levels and no cycles. A category
// means itself and everything under it: the makers of 01 电子电器产品 are the makers of 0101
// 电线电缆, 0102 …, and of 01 itself.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { ProductCategoryMatch } from './enterprise-input.js';

type Db = Kysely<Database>;

/** SQLite's bound-parameter cap, with room to spare. */
const CHUNK = 500;

/** The catalogue look-up of the validator: a code, or an exact Chinese or English name. */
export async function loadProductCategoryLookup(
  db: Db,
): Promise<(raw: string) => ProductCategoryMatch | undefined> {
  const rows = await db
    .selectFrom('product_categories')
    .select(['code', 'name', 'name_en', 'active'])
    .orderBy('code')
    .execute();
  const byCode = new Map<string, ProductCategoryMatch>();
  const byName = new Map<string, { code: string; name: string; active: boolean }[]>();
  for (const r of rows) {
    const entry = { code: r.code, name: r.name, active: r.active === 1 };
    byCode.set(r.code, entry);
    for (const name of new Set([r.name, r.name_en].filter(Boolean))) {
      const list = byName.get(name) ?? [];
      list.push(entry);
      byName.set(name, list);
    }
  }
  return (raw) => {
    const s = raw.trim();
    // A code that lost its leading zero in a spreadsheet (0104 → 104): codes have 2, 4 or 6 digits.
    const exact =
      byCode.get(s) ?? (/^\d{1,5}$/.test(s) && s.length % 2 === 1 ? byCode.get(`0${s}`) : undefined);
    if (exact) return exact;
    const named = byName.get(s);
    if (!named) return undefined;
    if (named.length === 1) return named[0];
    // A retired namesake never makes an active name ambiguous.
    const active = named.filter((c) => c.active);
    return active.length === 1 ? active[0] : { ambiguous: named.map((c) => c.code) };
  };
}

/** The product-category codes of each enterprise (sorted); enterprises with none are absent. */
export async function productLinksOf(db: Db, enterpriseIds: readonly string[]) {
  const links = new Map<string, string[]>();
  for (let i = 0; i < enterpriseIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('enterprise_products')
      .select(['enterprise_id', 'category_code'])
      .where('enterprise_id', 'in', enterpriseIds.slice(i, i + CHUNK))
      .orderBy('enterprise_id')
      .orderBy('category_code')
      .execute();
    for (const r of rows) {
      const list = links.get(r.enterprise_id) ?? [];
      list.push(r.category_code);
      links.set(r.enterprise_id, list);
    }
  }
  return links;
}

/**
 * Replaces the product categories of the given enterprises, in the caller's transaction: one
 * delete per chunk of enterprises, then multi-row inserts.
 */
export async function replaceProductLinks(
  trx: Db,
  sets: readonly { enterpriseId: string; codes: readonly string[] }[],
  at: string,
  opts: { fresh?: boolean } = {},
) {
  if (!opts.fresh)
    for (let i = 0; i < sets.length; i += CHUNK) {
      await trx
        .deleteFrom('enterprise_products')
        .where(
          'enterprise_id',
          'in',
          sets.slice(i, i + CHUNK).map((s) => s.enterpriseId),
        )
        .execute();
    }
  const rows = sets.flatMap((s) =>
    s.codes.map((code) => ({ enterprise_id: s.enterpriseId, category_code: code, created_at: at })),
  );
  // three columns a row
  for (let i = 0; i < rows.length; i += 3 * CHUNK) {
    await trx
      .insertInto('enterprise_products')
      .values(rows.slice(i, i + 3 * CHUNK))
      .execute();
  }
}

/**
 * The codes the categories stand for: each itself, its children and its grandchildren (the three
 * levels codes of 2, 4 and 6 digits allow), as rows (root, code) of a few dozen. Spelled out rather
 * than WITH RECURSIVE: PostgreSQL guesses a recursive walk at hundreds of rows and then hashes
 * every link and every enterprise instead of looking up the few codes in the links' index.
 */
function subtree(codes: readonly string[]): RawBuilder<unknown> {
  const list = sql.join(codes.map((c) => sql.val(c)));
  return sql`select r.code as root, r.code as code from product_categories r where r.code in (${list})
    union all
    select c.parent_code, c.code from product_categories c where c.parent_code in (${list})
    union all
    select m.parent_code, c.code from product_categories m
      join product_categories c on c.parent_code = m.code
      where m.parent_code in (${list})`;
}

/** The least digit string above every code that starts with `code`: 0107 → 0108, 09 → 10, 99 → none. */
function nextPrefix(code: string): string | null {
  const digits = code.split('').map(Number);
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 9) {
      digits[i]!++;
      return digits.slice(0, i + 1).join('');
    }
  }
  return null;
}

/**
 * `ep.category_code` within the codes that start with one of `codes`: ranges of the links'
 * category index, which both databases read (and PostgreSQL estimates from its statistics of the
 * literal bounds) before anything else. Every code under a category starts with its code, so the
 * ranges hold the subtree; the join with `subtree` then keeps exactly the tree's members. Digit
 * strings compare character by character in every collation.
 */
function linkRanges(codes: readonly string[]): RawBuilder<boolean> {
  const parts = codes.map((c) => {
    if (!/^\d+$/.test(c)) return sql`ep.category_code = ${c}`;
    const next = nextPrefix(c);
    return next === null
      ? sql`ep.category_code >= ${c}`
      : sql`(ep.category_code >= ${c} and ep.category_code < ${next})`;
  });
  return sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

/**
 * The condition "the enterprise `e` makes something in the category `code` or under it", for the
 * register's search and export: from the category side (index enterprise_products_category).
 */
export function makesCategorySql(code: string): RawBuilder<boolean> {
  return sql<boolean>`e.id in (
    select ep.enterprise_id from enterprise_products ep
    where ${linkRanges([code])}
      and ep.category_code in (select tree.code from (${subtree([code])}) tree)
  )`;
}

export type ProductCategoryName = { code: string; name: string; nameEn: string; active: boolean };

/** The catalogue names of some codes, in code order; unknown codes are left out. */
export async function productCategoryNames(db: Db, codes: readonly string[]): Promise<ProductCategoryName[]> {
  const wanted = [...new Set(codes)];
  const out: ProductCategoryName[] = [];
  for (let i = 0; i < wanted.length; i += CHUNK) {
    const rows = await db
      .selectFrom('product_categories')
      .select(['code', 'name', 'name_en', 'active'])
      .where('code', 'in', wanted.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.push({ code: r.code, name: r.name, nameEn: r.name_en, active: r.active === 1 });
  }
  return out.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** The product categories of one enterprise with their names, in code order. */
export async function productCategoriesOfEnterprise(db: Db, enterpriseId: string) {
  const rows = await db
    .selectFrom('enterprise_products as ep')
    .innerJoin('product_categories as c', 'c.code', 'ep.category_code')
    .select(['c.code', 'c.name', 'c.name_en', 'c.active'])
    .where('ep.enterprise_id', '=', enterpriseId)
    .orderBy('c.code')
    .execute();
  return rows.map((r) => ({ code: r.code, name: r.name, nameEn: r.name_en, active: r.active === 1 }));
}

export type Maker = {
  id: string;
  uscc: string;
  name: string;
  townCode: string;
  industryCode: string | null;
  status: string;
  /** The day it was registered (a back-dated draw leaves out enterprises that did not exist yet). */
  registeredOn: string | null;
  /** The requested category the enterprise makes (it may be linked to one under it). */
  categoryCode: string;
};

/**
 * Every enterprise that makes any of the categories (a category meaning itself and everything under
 * it in the catalogue), whatever its status — the caller decides what a non-operating maker means —
 * optionally only in some towns. One row per (requested category, enterprise), ordered by category
 * then enterprise id. `categoryCode` is the requested code even when the link is to a category
 * under it, so a plan's category finds its whole pool under its own code; an enterprise linked to
 * two categories under one requested node appears once for it.
 *
 * One statement, driven by the catalogue: the requested codes' subtree (a few dozen codes), each a
 * look-up of the links' category index (enterprise_products_category holds the enterprise id too),
 * then each link a primary-key look-up of enterprises. No GROUP BY and no ORDER BY: at 200,000 rows
 * either cost the database more than the join itself (a temporary B-tree on SQLite, a hash and a
 * collation sort on PostgreSQL); the rows are put in order and the repeats dropped here instead.
 */
export async function makersOf(
  db: Db,
  opts: { categoryCodes: string[]; townCodes?: string[] },
): Promise<Maker[]> {
  const rows = await makersQuery<{
    uscc: string;
    name: string;
    industry_code: string | null;
    registered_on: string | null;
  }>(db, opts, { select: sql`e.uscc, e.name, e.industry_code, e.registered_on,` });
  return rows.map((r) => ({
    id: r.id,
    uscc: r.uscc,
    name: r.name,
    townCode: r.town_code,
    industryCode: r.industry_code,
    status: r.status,
    registeredOn: r.registered_on,
    categoryCode: r.category_code,
  }));
}

/** A maker as a draw's pool needs it: who, where, whether operating, for which category. */
export type MakerLink = Pick<Maker, 'id' | 'townCode' | 'status' | 'categoryCode'>;

/**
 * Another module's table of at most one row per enterprise, whose columns are wanted beside each
 * maker's (credit's current grade, say): joined on its enterprise id, so that a caller needing both
 * reads them in one pass. A maker without a row there gets nulls.
 */
export type MakerJoin<K extends string> = {
  table: string;
  enterpriseId: string;
  /** the name each column gets in the result → the table's column */
  columns: Record<K, string>;
};

/**
 * makersOf without the names, for a draw over the whole register (200,000 rows, where every column
 * costs on each): the same rows, in the same order, optionally only those registered by a day (a
 * back-dated draw cannot meet an enterprise registered later), with another module's columns.
 */
export async function makerLinksOf<K extends string = never>(
  db: Db,
  opts: {
    categoryCodes: string[];
    townCodes?: string[];
    registeredBy?: string;
    /** with each maker's USCC and name (what a draw shows of those it draws or leaves out) */
    named?: boolean;
    join?: MakerJoin<K>;
  },
): Promise<(MakerLink & { uscc?: string; name?: string } & Record<K, unknown>)[]> {
  const keys = Object.keys(opts.join?.columns ?? {}) as K[];
  const j = opts.join;
  const select = sql.join(
    [
      ...(opts.named ? [sql`e.uscc, e.name, `] : []),
      ...(j ? keys.map((k) => sql`${sql.ref(`j.${j.columns[k]}`)} as ${sql.ref(k)}, `) : []),
    ],
    sql``,
  );
  const from = j
    ? sql`left join ${sql.table(j.table)} as j on ${sql.ref(`j.${j.enterpriseId}`)} = e.id`
    : sql``;
  const rows = await makersQuery<{ uscc?: string; name?: string } & Record<K, unknown>>(db, opts, {
    select,
    join: from,
    registeredBy: opts.registeredBy,
  });
  return rows.map((r) => {
    const link: MakerLink & { uscc?: string; name?: string } = {
      id: r.id,
      townCode: r.town_code,
      status: r.status,
      categoryCode: r.category_code,
    };
    if (opts.named) {
      link.uscc = r.uscc;
      link.name = r.name;
    }
    for (const k of keys) (link as Record<string, unknown>)[k] = r[k];
    return link as MakerLink & { uscc?: string; name?: string } & Record<K, unknown>;
  });
}

type MakerRow = { category_code: string; id: string; town_code: string; status: string };

async function makersQuery<R>(
  db: Db,
  opts: { categoryCodes: string[]; townCodes?: string[] },
  more: { select: RawBuilder<unknown>; join?: RawBuilder<unknown>; registeredBy?: string },
): Promise<(MakerRow & R)[]> {
  const categories = [...new Set(opts.categoryCodes)];
  if (categories.length === 0) return [];
  if (opts.townCodes && opts.townCodes.length === 0) return [];
  const towns = opts.townCodes ? sql`and e.town_code in (${sql.join([...new Set(opts.townCodes)])})` : sql``;
  const registered = more.registeredBy
    ? sql`and (e.registered_on is null or e.registered_on <= ${more.registeredBy})`
    : sql``;
  const { rows } = await sql<MakerRow & R>`with tree (root, code) as (${subtree(categories)})
    select t.root as category_code, e.id, ${more.select} e.town_code, e.status
    from tree t cross join enterprise_products ep cross join enterprises e ${more.join ?? sql``}
    where ep.category_code = t.code and e.id = ep.enterprise_id ${towns} ${registered}`.execute(db);
  // In order, and once per (category, enterprise): SQLite hands them over by category and then
  // enterprise when each requested code is a leaf of the catalogue (the common case, no sort).
  if (!inOrder(rows)) rows.sort(byCategoryThenId);
  let kept = 0;
  for (let i = 0; i < rows.length; i++)
    if (i === 0 || byCategoryThenId(rows[kept - 1]!, rows[i]!) !== 0) rows[kept++] = rows[i]!;
  rows.length = kept;
  return rows;
}

/** By category, then enterprise id, by code units (as SQLite compares text; no collation). */
function byCategoryThenId(a: MakerRow, b: MakerRow) {
  if (a.category_code !== b.category_code) return a.category_code < b.category_code ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function inOrder(rows: readonly MakerRow[]) {
  for (let i = 1; i < rows.length; i++) if (byCategoryThenId(rows[i - 1]!, rows[i]!) > 0) return false;
  return true;
}
