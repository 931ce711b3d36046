// Loads the reference data the registry ships (towns, industries, starter product catalogue).
// Idempotent: runs after every migrate and only inserts what is missing, so edits made by an
// administrator (e.g. to product categories) are never overwritten.

import { newId } from '../../core/ids.js';
import { readTsv } from '../../core/tsv.js';
import type { AppContext } from '../../platform/context.js';

export type Town = {
  code: string;
  name: string;
  nameEn: string;
  kind: 'subdistrict' | 'town' | 'area';
  sort: number;
};
export type Industry = {
  code: string;
  level: 'section' | 'division';
  section: string;
  name: string;
  nameEn: string;
};

const townKind = (raw: string): Town['kind'] =>
  raw.includes('subdistrict') ? 'subdistrict' : raw.includes('functional') ? 'area' : 'town';

export function shippedTowns(): Town[] {
  return readTsv('dongguan_towns.tsv').map((r, i) => ({
    code: r.code9!,
    name: r.name_zh!,
    nameEn: r.name_en!,
    kind: townKind(r.kind!),
    sort: i + 1,
  }));
}

export function shippedIndustries(): Industry[] {
  return readTsv('gbt4754.tsv').map((r) => ({
    code: r.code!,
    level: r.level === 'section' ? 'section' : 'division',
    section: r.section!,
    name: r.name_zh!,
    nameEn: r.name_en!,
  }));
}

export async function loadRegistryReferenceData(ctx: AppContext) {
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const towns = shippedTowns();
    await trx
      .insertInto('towns')
      .values(
        towns.map((t) => ({ code: t.code, name: t.name, name_en: t.nameEn, kind: t.kind, sort: t.sort })),
      )
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    const industries = shippedIndustries();
    await trx
      .insertInto('industries')
      .values(
        industries.map((i) => ({
          code: i.code,
          level: i.level,
          section: i.section,
          name: i.name,
          name_en: i.nameEn,
          parent_code: i.level === 'division' ? i.section : null,
        })),
      )
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    const categories = readTsv('product_categories.tsv');
    await trx
      .insertInto('product_categories')
      .values(
        categories.map((c) => ({
          id: newId(),
          code: c.code!,
          name: c.name!,
          name_en: c.name_en!,
          parent_code: c.parent_code || null,
          industry_code: c.industry_code || null,
          active: 1,
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
  });
}
