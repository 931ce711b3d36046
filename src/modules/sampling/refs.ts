// Reads of the register the sampling module needs (towns, the product-category catalogue, labs,
// enterprise names). Reads only: the register's tables are written by the registry module alone.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export async function categoryNames(db: Kysely<Database>, codes?: string[]) {
  let q = db.selectFrom('product_categories').select(['code', 'name', 'name_en', 'active']);
  if (codes) {
    if (codes.length === 0) return new Map<string, { name: string; nameEn: string; active: boolean }>();
    q = q.where('code', 'in', codes);
  }
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.code, { name: r.name, nameEn: r.name_en, active: r.active === 1 }]));
}

export async function townNames(db: Kysely<Database>) {
  const rows = await db.selectFrom('towns').select(['code', 'name']).orderBy('sort').execute();
  return new Map(rows.map((r) => [r.code, r.name]));
}

/** Enterprises with a lab profile (检验检测机构): the labs a plan may name. */
export async function labs(db: Kysely<Database>, ids?: string[]) {
  let q = db
    .selectFrom('enterprise_profiles as p')
    .innerJoin('enterprises as e', 'e.id', 'p.enterprise_id')
    .select(['e.id', 'e.uscc', 'e.name'])
    .where('p.kind', '=', 'lab')
    .orderBy('e.name');
  if (ids) {
    if (ids.length === 0) return [];
    q = q.where('e.id', 'in', ids);
  }
  return q.execute();
}

export type EnterpriseRef = {
  id: string;
  uscc: string;
  name: string;
  townCode: string;
  address: string | null;
};

export async function enterprisesByIds(db: Kysely<Database>, ids: string[]) {
  const out = new Map<string, EnterpriseRef>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('enterprises')
      .select(['id', 'uscc', 'name', 'town_code', 'registered_address'])
      .where('id', 'in', unique.slice(i, i + 500))
      .execute();
    for (const r of rows)
      out.set(r.id, {
        id: r.id,
        uscc: r.uscc,
        name: r.name,
        townCode: r.town_code,
        address: r.registered_address,
      });
  }
  return out;
}

/**
 * Bound parameters per statement for look-ups by id in bulk: far below both databases' caps
 * (SQLite 32,766 since 3.32, PostgreSQL 65,535), few round trips for a draw's tens of thousands.
 */
export const BULK_IDS = 5000;

/** Just the USCC and name of each enterprise (a draw names tens of thousands at once). */
export async function enterpriseNames(db: Kysely<Database>, ids: string[]) {
  const out = new Map<string, { uscc: string; name: string }>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += BULK_IDS) {
    const rows = await db
      .selectFrom('enterprises')
      .select(['id', 'uscc', 'name'])
      .where('id', 'in', unique.slice(i, i + BULK_IDS))
      .execute();
    for (const r of rows) out.set(r.id, { uscc: r.uscc, name: r.name });
  }
  return out;
}

export async function userNames(db: Kysely<Database>, ids: string[]) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map<string, string>();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', 'in', unique)
    .execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}
