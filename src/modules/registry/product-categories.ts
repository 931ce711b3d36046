// The product-category catalogue that sampling, licensing and lab capabilities reference. Ships
// with a starter list (data/product_categories.tsv); administrators add, rename and retire entries.
// Codes never change once given (other modules keep them), so retiring is `active = false`.
import type { Selectable } from 'kysely';
import { AppError, type FieldError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { ProductCategoryTable } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import type { Actor, AppContext } from '../../platform/context.js';

export type ProductCategory = {
  id: string;
  code: string;
  name: string;
  nameEn: string;
  parentCode: string | null;
  industryCode: string | null;
  active: boolean;
  updatedAt: string;
};

export type ProductCategoryInput = {
  code: string;
  name: string;
  nameEn?: string;
  parentCode?: string | null;
  industryCode?: string | null;
  active?: boolean;
};

const CODE = /^\d{2}(\d{2}){0,2}$/;

/** A category name is one line: runs of white space (line breaks too) fold to one space. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The cleaned name, refused when nothing but white space was given. */
function cleanName(raw: string): string {
  const name = oneLine(raw);
  if (name) return name;
  const message = { zh: '类别名称不能为空', en: 'The name is required' };
  throw new AppError('VALIDATION_FAILED', {
    fields: [{ field: 'name', code: 'REQUIRED', message }],
    message,
  });
}

export const presentProductCategory = (r: Selectable<ProductCategoryTable>): ProductCategory => ({
  id: r.id,
  code: r.code,
  name: r.name,
  nameEn: r.name_en,
  parentCode: r.parent_code,
  industryCode: r.industry_code,
  active: r.active === 1,
  updatedAt: r.updated_at,
});

export async function listProductCategories(ctx: AppContext) {
  const rows = await ctx.db.selectFrom('product_categories').selectAll().orderBy('code').execute();
  return rows.map(presentProductCategory);
}

/** Checks the references of a category: its parent must exist and be shorter, its industry a division. */
async function checkReferences(
  ctx: AppContext,
  code: string,
  v: { parentCode?: string | null; industryCode?: string | null },
) {
  const errors: FieldError[] = [];
  if (v.parentCode) {
    const parent = await ctx.db
      .selectFrom('product_categories')
      .select('code')
      .where('code', '=', v.parentCode)
      .executeTakeFirst();
    if (!parent || !code.startsWith(v.parentCode) || v.parentCode.length >= code.length)
      errors.push({
        field: 'parentCode',
        code: 'INVALID_PARENT',
        message: {
          zh: `上级类别 ${v.parentCode} 不存在或不是本类别代码的前缀`,
          en: `Parent ${v.parentCode} does not exist or is not a prefix of the code`,
        },
      });
  }
  if (v.industryCode) {
    const ind = await ctx.db
      .selectFrom('industries')
      .select('code')
      .where('code', '=', v.industryCode)
      .where('level', '=', 'division')
      .executeTakeFirst();
    if (!ind)
      errors.push({
        field: 'industryCode',
        code: 'UNKNOWN_INDUSTRY',
        message: {
          zh: `未知的行业大类：${v.industryCode}`,
          en: `Unknown industry division: ${v.industryCode}`,
        },
      });
  }
  if (errors.length) throw new AppError('VALIDATION_FAILED', { fields: errors, message: errors[0]!.message });
}

export async function createProductCategory(ctx: AppContext, actor: Actor, input: ProductCategoryInput) {
  if (!CODE.test(input.code))
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        {
          field: 'code',
          code: 'INVALID_CODE',
          message: { zh: '类别代码应为2、4或6位数字', en: 'The code has 2, 4 or 6 digits' },
        },
      ],
    });
  await checkReferences(ctx, input.code, input);
  const now = ctx.clock.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const dup = await trx
      .selectFrom('product_categories')
      .select('id')
      .where('code', '=', input.code)
      .executeTakeFirst();
    if (dup) {
      const message = { zh: `类别代码 ${input.code} 已存在`, en: `Category ${input.code} already exists` };
      throw new AppError('ALREADY_EXISTS', {
        fields: [{ field: 'code', code: 'DUPLICATE', message }],
        message,
      });
    }
    const row = {
      id: newId(),
      code: input.code,
      name: cleanName(input.name),
      name_en: oneLine(input.nameEn ?? ''),
      parent_code: input.parentCode || null,
      industry_code: input.industryCode || null,
      active: input.active === false ? 0 : 1,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('product_categories').values(row).execute();
    const after = presentProductCategory(row);
    await writeAudit(trx, {
      actor,
      action: 'productCategory.create',
      resourceType: 'productCategory',
      resourceId: row.id,
      before: null,
      after,
      at: ctx.clock.now(),
    });
    return after;
  });
}

export async function updateProductCategory(
  ctx: AppContext,
  actor: Actor,
  code: string,
  patch: Partial<Omit<ProductCategoryInput, 'code'>>,
) {
  await checkReferences(ctx, code, patch);
  return ctx.db.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('product_categories')
      .selectAll()
      .where('code', '=', code)
      .executeTakeFirst();
    if (!old) throw notFound({ zh: '产品类别', en: 'Product category' });
    const next = {
      name: patch.name === undefined ? old.name : cleanName(patch.name),
      name_en: patch.nameEn === undefined ? old.name_en : oneLine(patch.nameEn),
      parent_code: patch.parentCode === undefined ? old.parent_code : patch.parentCode || null,
      industry_code: patch.industryCode === undefined ? old.industry_code : patch.industryCode || null,
      active: patch.active === undefined ? old.active : patch.active ? 1 : 0,
      updated_at: ctx.clock.now().toISOString(),
    };
    await trx.updateTable('product_categories').set(next).where('id', '=', old.id).execute();
    const before = presentProductCategory(old);
    const after = presentProductCategory({ ...old, ...next });
    await writeAudit(trx, {
      actor,
      action: 'productCategory.update',
      resourceType: 'productCategory',
      resourceId: old.id,
      before,
      after,
      at: ctx.clock.now(),
    });
    return after;
  });
}
