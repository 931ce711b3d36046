// Contacts of an enterprise (quality manager, liaison): personal data. Phone numbers and resident
// IDs are validated on the way in, shown masked to viewers without enterprise.readPersonal, never
// presented on public routes, and written to the audit log masked.
import { AppError, type FieldError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { todayInShanghai } from '../../core/workdays.js';
import { writeAudit } from '../../platform/audit.js';
import type { Actor, AppContext } from '../../platform/context.js';
import { cleanName, cleanText } from './enterprise-input.js';
import { maskPhone, maskResidentId, validateResidentId } from './resident-id.js';

export type ContactInput = {
  name?: string;
  role?: string | null;
  phone?: string | null;
  email?: string | null;
  residentId?: string | null;
};

type ContactColumns = {
  name: string;
  role: string | null;
  phone: string | null;
  email: string | null;
  resident_id: string | null;
};

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Validates and normalises a contact; `base` holds the current values for a partial change. */
export function validateContact(input: ContactInput, today: string, base?: ContactColumns): ContactColumns {
  const errors: FieldError[] = [];
  const pick = <K extends keyof ContactInput>(k: K, col: keyof ContactColumns) =>
    input[k] === undefined ? (base?.[col] ?? null) : input[k];
  const name = cleanName(pick('name', 'name'));
  if (!name)
    errors.push({
      field: 'name',
      code: 'REQUIRED',
      message: { zh: '联系人姓名不能为空', en: 'Name is required' },
    });
  const phoneRaw =
    cleanText(pick('phone', 'phone'))
      ?.replace(/[\s()（）]/g, '')
      .replace(/^(\+|00)86(?=1\d{10}$)/, '') ?? null;
  if (phoneRaw && !MOBILE.test(phoneRaw) && !LANDLINE.test(phoneRaw))
    errors.push({
      field: 'phone',
      code: 'INVALID_PHONE',
      message: {
        zh: '电话号码应为11位手机号或带区号的固定电话',
        en: 'Expected an 11-digit mobile or a landline with area code',
      },
    });
  const email = cleanText(pick('email', 'email'));
  if (email && !EMAIL.test(email))
    errors.push({
      field: 'email',
      code: 'INVALID_EMAIL',
      message: { zh: '电子邮箱格式不正确', en: 'Invalid e-mail address' },
    });
  const ridRaw = cleanText(pick('residentId', 'resident_id'));
  let residentId: string | null = null;
  if (ridRaw) {
    const v = validateResidentId(ridRaw, { today });
    if (v.ok) residentId = v.value;
    else errors.push({ field: 'residentId', code: v.code, message: v.message });
  }
  if (errors.length) throw new AppError('VALIDATION_FAILED', { fields: errors, message: errors[0]!.message });
  return {
    name: name!,
    role: cleanName(pick('role', 'role')),
    phone: phoneRaw,
    email,
    resident_id: residentId,
  };
}

const forAudit = (c: ContactColumns) => ({
  ...c,
  phone: c.phone ? maskPhone(c.phone) : null,
  resident_id: c.resident_id ? maskResidentId(c.resident_id) : null,
});

export async function addContact(ctx: AppContext, actor: Actor, enterpriseId: string, input: ContactInput) {
  const cols = validateContact(input, todayInShanghai(ctx.clock.now()));
  const id = newId();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('enterprise_contacts')
      .values({ id, enterprise_id: enterpriseId, ...cols, created_at: ctx.clock.now().toISOString() })
      .execute();
    await writeAudit(trx, {
      actor,
      action: 'enterprise.contact.add',
      resourceType: 'enterpriseContact',
      resourceId: id,
      enterpriseId,
      before: null,
      after: forAudit(cols),
      at: ctx.clock.now(),
    });
  });
  return id;
}

export async function updateContact(
  ctx: AppContext,
  actor: Actor,
  enterpriseId: string,
  id: string,
  input: ContactInput,
) {
  await ctx.db.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('enterprise_contacts')
      .selectAll()
      .where('id', '=', id)
      .where('enterprise_id', '=', enterpriseId)
      .executeTakeFirst();
    if (!old) throw notFound({ zh: '联系人', en: 'Contact' });
    const cols = validateContact(input, todayInShanghai(ctx.clock.now()), old);
    await trx.updateTable('enterprise_contacts').set(cols).where('id', '=', id).execute();
    await writeAudit(trx, {
      actor,
      action: 'enterprise.contact.update',
      resourceType: 'enterpriseContact',
      resourceId: id,
      enterpriseId,
      before: forAudit(old),
      after: forAudit(cols),
      at: ctx.clock.now(),
    });
  });
}

export async function removeContact(ctx: AppContext, actor: Actor, enterpriseId: string, id: string) {
  await ctx.db.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('enterprise_contacts')
      .selectAll()
      .where('id', '=', id)
      .where('enterprise_id', '=', enterpriseId)
      .executeTakeFirst();
    if (!old) throw notFound({ zh: '联系人', en: 'Contact' });
    await trx.deleteFrom('enterprise_contacts').where('id', '=', id).execute();
    await writeAudit(trx, {
      actor,
      action: 'enterprise.contact.remove',
      resourceType: 'enterpriseContact',
      resourceId: id,
      enterpriseId,
      before: forAudit(old),
      after: null,
      at: ctx.clock.now(),
    });
  });
}
