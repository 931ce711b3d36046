// Validation of enterprise data, shared by the API, the import and the seed, so that a row is
// judged by the same rules wherever it comes from.
import type { FieldError, Message } from '../../core/errors.js';
import type { ENTERPRISE_SCALES, ENTERPRISE_STATUSES } from './migrations.js';
import { validateUscc } from './uscc.js';

export type EnterpriseStatus = (typeof ENTERPRISE_STATUSES)[number];
export type EnterpriseScale = (typeof ENTERPRISE_SCALES)[number];

export type EnterpriseInput = {
  uscc: string;
  name: string;
  legalRepresentative: string | null;
  registeredAddress: string | null;
  townCode: string;
  industryCode: string | null;
  registeredOn: string | null;
  status: EnterpriseStatus;
  scale: EnterpriseScale | null;
  tags: string[];
  /**
   * Codes of the product categories the enterprise makes (企业生产的产品类别), sorted, distinct.
   * Absent: not stated, so the links stay as they are; present: the whole set, replacing the old.
   */
  productCategories?: string[];
};

/** A catalogue entry a text names: by its code, or by its exact name. */
export type ProductCategoryMatch =
  | { code: string; name: string; active: boolean }
  /** A name several categories share: the codes it could mean. */
  | { ambiguous: string[] };

export type ReferenceLookup = {
  /** town code or Chinese/English name → town code */
  town: (raw: string) => string | undefined;
  industry: (raw: string) => string | undefined;
  /** product category code or exact name → the catalogue entry */
  productCategory: (raw: string) => ProductCategoryMatch | undefined;
};

/** At most this many product categories per enterprise. */
export const MAX_PRODUCT_CATEGORIES = 20;
/** What separates the product categories in one cell of a file: ；; 、 , ，. */
export const PRODUCT_CATEGORY_SEPARATORS = /[；;、,，]/;

export const STATUS_LABELS: Record<EnterpriseStatus, string> = {
  operating: '存续',
  suspended: '停业',
  cancelled: '注销',
  revoked: '吊销',
};
export const SCALE_LABELS: Record<EnterpriseScale, string> = {
  large: '大型',
  medium: '中型',
  small: '小型',
  micro: '微型',
};

/** Chinese names of the editable fields, for history and timeline texts. */
export const FIELD_LABELS: Record<keyof EnterpriseInput, string> = {
  uscc: '统一社会信用代码',
  name: '企业名称',
  legalRepresentative: '法定代表人',
  registeredAddress: '注册地址',
  townCode: '所属镇街',
  industryCode: '行业',
  registeredOn: '成立日期',
  status: '登记状态',
  scale: '企业规模',
  tags: '标签',
  productCategories: '产品类别',
};

const STATUS_ALIASES: Record<string, EnterpriseStatus> = {
  operating: 'operating',
  存续: 'operating',
  在业: 'operating',
  开业: 'operating',
  在营: 'operating',
  suspended: 'suspended',
  停业: 'suspended',
  歇业: 'suspended',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  注销: 'cancelled',
  revoked: 'revoked',
  吊销: 'revoked',
};
const SCALE_ALIASES: Record<string, EnterpriseScale> = {
  large: 'large',
  大型: 'large',
  大: 'large',
  medium: 'medium',
  中型: 'medium',
  中: 'medium',
  small: 'small',
  小型: 'small',
  小: 'small',
  micro: 'micro',
  微型: 'micro',
  微: 'micro',
};

export const TAG_LABELS: Record<string, string> = {
  exporter: '出口企业',
  keyEnergyUnit: '重点用能单位',
  highTech: '高新技术企业',
  aboveScale: '规模以上工业企业',
  licensedProducer: '获证生产企业',
  famousBrand: '广东省名牌产品企业',
  standardLeader: '标准主导制定单位',
  // A veto fact for the credit grade (at best C while listed): 《企业经营异常名录管理暂行办法》.
  abnormalOperations: '列入经营异常名录',
};
const TAG_ALIASES: Record<string, string> = Object.fromEntries(
  Object.entries(TAG_LABELS).flatMap(([k, zh]) => [
    [k.toLowerCase(), k],
    [zh, k],
  ]),
);

const msg = (zh: string, en: string): Message => ({ zh, en });

/**
 * The value of `key` in a table of our own, never one inherited from Object.prototype: user text
 * such as "constructor" or "__proto__" is an unknown key like any other.
 */
export function ownValue<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** C0 controls (tab, line feed and carriage return are folded as spaces), DEL, C1, lone surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|\p{Cs}/u;

/** True when a text holds a character no register field may hold (NUL, escape, …). */
export const hasControlCharacter = (raw: unknown): boolean =>
  typeof raw === 'string' ? CONTROL_TEXT.test(raw) : Array.isArray(raw) && raw.some(hasControlCharacter);

/** Full-width → half-width and trimmed; empty becomes null. */
export function cleanText(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const s = String(raw)
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .trim();
  return s === '' ? null : s;
}

/** Trimmed, ideographic spaces folded, empty → null; full-width brackets kept, as official names use them. */
export function cleanName(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const s = String(raw)
    .replace(/\u3000/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return s === '' ? null : s;
}

const DATE_FORMS = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})$/,
  /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/,
  /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/,
  /^(\d{4})年(\d{1,2})月(\d{1,2})日$/,
  /^(\d{4})(\d{2})(\d{2})$/,
];

/** Accepts the date forms people type in China; returns 'YYYY-MM-DD' or null when invalid. */
export function parseBusinessDate(raw: string): string | null {
  for (const re of DATE_FORMS) {
    const m = re.exec(raw);
    if (!m) continue;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const dt = new Date(Date.UTC(y, mo - 1, d));
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
    return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  }
  return null;
}

export type RawEnterprise = Partial<Record<keyof EnterpriseInput, unknown>>;

/**
 * Checks one enterprise and normalises it. `today` bounds the registration date.
 * Returns every problem found, not just the first, so an import report is complete.
 */
export function validateEnterprise(
  raw: RawEnterprise,
  refs: ReferenceLookup,
  today: string,
  opts: {
    /** Product categories the enterprise is linked to already: kept even when since retired. */
    linkedProductCategories?: readonly string[];
  } = {},
): { ok: true; value: EnterpriseInput } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (field: string, code: string, m: Message) => errors.push({ field, code, message: m });

  // A control character is refused in every field, before any other check reads the text.
  for (const field of Object.keys(FIELD_LABELS) as (keyof EnterpriseInput)[])
    if (hasControlCharacter(raw[field]))
      err(
        field,
        'CONTROL_CHARACTER',
        msg(`${FIELD_LABELS[field]}含有不允许的控制字符`, `${field} contains a control character`),
      );
  if (errors.length) return { ok: false, errors };

  const usccRaw = cleanText(raw.uscc);
  let uscc = '';
  if (!usccRaw) err('uscc', 'REQUIRED', msg('统一社会信用代码不能为空', 'USCC is required'));
  else {
    const v = validateUscc(usccRaw);
    if (v.ok) uscc = v.value;
    else err('uscc', v.code, v.message);
  }

  const name = cleanName(raw.name);
  if (!name) err('name', 'REQUIRED', msg('企业名称不能为空', 'Name is required'));
  else if (name.length > 100)
    err('name', 'TOO_LONG', msg('企业名称不能超过100个字符', 'Name is over 100 characters'));

  const townRaw = cleanText(raw.townCode);
  let townCode = '';
  if (!townRaw) err('townCode', 'REQUIRED', msg('所属镇街不能为空', 'Town is required'));
  else {
    const t = refs.town(townRaw);
    if (t) townCode = t;
    else err('townCode', 'UNKNOWN_TOWN', msg(`未知的镇街：${townRaw}`, `Unknown town: ${townRaw}`));
  }

  const industryRaw = cleanText(raw.industryCode);
  let industryCode: string | null = null;
  if (industryRaw) {
    const i = refs.industry(industryRaw);
    if (i) industryCode = i;
    else
      err(
        'industryCode',
        'UNKNOWN_INDUSTRY',
        msg(`未知的行业代码：${industryRaw}`, `Unknown industry code: ${industryRaw}`),
      );
  }

  const dateRaw = cleanText(raw.registeredOn);
  let registeredOn: string | null = null;
  if (dateRaw) {
    registeredOn = parseBusinessDate(dateRaw);
    if (!registeredOn)
      err(
        'registeredOn',
        'INVALID_DATE',
        msg(`成立日期无效：${dateRaw}`, `Invalid registration date: ${dateRaw}`),
      );
    else if (registeredOn > today)
      err('registeredOn', 'FUTURE_DATE', msg('成立日期不能晚于今天', 'Registration date is in the future'));
    else if (registeredOn < '1949-10-01')
      err('registeredOn', 'TOO_EARLY', msg('成立日期早于1949-10-01', 'Registration date before 1949-10-01'));
  }

  const statusRaw = cleanText(raw.status);
  let status: EnterpriseStatus = 'operating';
  if (statusRaw) {
    const s = ownValue(STATUS_ALIASES, statusRaw.toLowerCase());
    if (s) status = s;
    else
      err(
        'status',
        'INVALID_STATUS',
        msg(`未知的经营状态：${statusRaw}（应为存续、停业、注销或吊销）`, `Unknown status: ${statusRaw}`),
      );
  }

  const scaleRaw = cleanText(raw.scale);
  let scale: EnterpriseScale | null = null;
  if (scaleRaw) {
    const s = ownValue(SCALE_ALIASES, scaleRaw.toLowerCase());
    if (s) scale = s;
    else
      err(
        'scale',
        'INVALID_SCALE',
        msg(`未知的企业规模：${scaleRaw}（应为大型、中型、小型或微型）`, `Unknown scale: ${scaleRaw}`),
      );
  }

  const tags: string[] = [];
  const tagList = Array.isArray(raw.tags)
    ? raw.tags.map(String)
    : (cleanText(raw.tags) ?? '').split(/[;；,，、|]/);
  for (const t of tagList.map((x) => x.trim()).filter(Boolean)) {
    const k = ownValue(TAG_ALIASES, t.toLowerCase()) ?? ownValue(TAG_ALIASES, t);
    if (k) {
      if (!tags.includes(k)) tags.push(k);
    } else err('tags', 'UNKNOWN_TAG', msg(`未知的企业标签：${t}`, `Unknown tag: ${t}`));
  }
  tags.sort();

  const productCategories = checkProductCategories(
    raw.productCategories,
    refs,
    opts.linkedProductCategories ?? [],
    err,
  );

  const legalRepresentative = cleanName(raw.legalRepresentative);
  if (legalRepresentative && legalRepresentative.length > 50)
    err('legalRepresentative', 'TOO_LONG', msg('法定代表人姓名过长', 'Legal representative is too long'));
  const registeredAddress = cleanName(raw.registeredAddress);
  if (registeredAddress && registeredAddress.length > 200)
    err('registeredAddress', 'TOO_LONG', msg('注册地址不能超过200个字符', 'Address is over 200 characters'));

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      uscc,
      name: name!,
      legalRepresentative,
      registeredAddress,
      townCode,
      industryCode,
      registeredOn,
      status,
      scale,
      tags,
      ...(productCategories === undefined ? {} : { productCategories }),
    },
  };
}

/**
 * The product categories of an enterprise: a list (API) or one text separated by ；;、, (a file),
 * each item a catalogue code or exact name. Undefined when not given at all; an empty text or
 * list is the empty set. Unknown, ambiguous and retired entries are errors naming the entry,
 * except a retired category the enterprise is linked to already (keeping it is no new claim).
 */
function checkProductCategories(
  raw: unknown,
  refs: ReferenceLookup,
  linked: readonly string[],
  err: (field: string, code: string, m: Message) => void,
): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = Array.isArray(raw)
    ? raw.map((x) => String(x ?? ''))
    : raw === null
      ? []
      : String(raw).split(PRODUCT_CATEGORY_SEPARATORS);
  const field = 'productCategories';
  const codes = new Set<string>();
  for (const item of items.map((x) => x.replace(/\u3000/g, ' ').trim()).filter(Boolean)) {
    const cleaned = cleanText(item) ?? item;
    const found =
      refs.productCategory(item) ?? (cleaned !== item ? refs.productCategory(cleaned) : undefined);
    if (!found)
      err(
        field,
        'UNKNOWN_PRODUCT_CATEGORY',
        msg(`未知的产品类别：${item}`, `Unknown product category: ${item}`),
      );
    else if ('ambiguous' in found)
      err(
        field,
        'AMBIGUOUS_PRODUCT_CATEGORY',
        msg(
          `产品类别名称“${item}”对应多个类别（${found.ambiguous.join('、')}），请填写类别代码`,
          `The product category name "${item}" names several categories (${found.ambiguous.join(', ')}); give the code`,
        ),
      );
    else if (!found.active && !linked.includes(found.code))
      err(
        field,
        'INACTIVE_PRODUCT_CATEGORY',
        msg(
          `产品类别 ${found.code}（${found.name}）已停用`,
          `Product category ${found.code} (${found.name}) is retired`,
        ),
      );
    else codes.add(found.code);
  }
  if (codes.size > MAX_PRODUCT_CATEGORIES)
    err(
      field,
      'TOO_MANY_PRODUCT_CATEGORIES',
      msg(
        `产品类别最多${MAX_PRODUCT_CATEGORIES}个，本次为${codes.size}个`,
        `At most ${MAX_PRODUCT_CATEGORIES} product categories, ${codes.size} given`,
      ),
    );
  return [...codes].sort();
}
