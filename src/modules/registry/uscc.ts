// Unified social credit code (统一社会信用代码), GB 32100-2015, with the organisation-code
// check of GB 11714-1997 on positions 9–17. Pure functions, no dependencies.

export type Bilingual = { zh: string; en: string };

export type UsccErrorCode =
  | 'USCC_LENGTH'
  | 'USCC_CHARSET'
  | 'USCC_REGISTRATION_AUTHORITY'
  | 'USCC_ENTITY_TYPE'
  | 'USCC_DIVISION'
  | 'USCC_ORG_CHECK'
  | 'USCC_CHECK';

export type UsccParts = {
  /** Position 1: registration authority (登记管理部门代码). */
  authority: string;
  authorityName: Bilingual;
  /** Position 2: entity type within that authority (机构类别代码). */
  entityType: string;
  entityTypeName: Bilingual;
  /** Positions 3–8: administrative division of the registering office (GB/T 2260). */
  division: string;
  /** Positions 9–17: organisation code (主体标识码, GB 11714), check character included. */
  orgCode: string;
  /** Position 18. */
  checkChar: string;
};

export type UsccResult =
  | { ok: true; value: string; parts: UsccParts }
  | { ok: false; code: UsccErrorCode; message: Bilingual; position?: number };

/** The 31 characters GB 32100 uses, in check-value order (no I, O, S, V, Z). */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

type AuthorityInfo = { name: Bilingual; entityTypes: Record<string, Bilingual> };

const OTHER: Bilingual = { zh: '其他', en: 'other' };

// GB 32100-2015 table of registration authorities and their entity types, with the later
// additions A (CMC reform and establishment office) and N (agriculture, rural collectives).
const AUTHORITIES: Record<string, AuthorityInfo> = {
  '1': {
    name: { zh: '机构编制', en: 'establishment administration' },
    entityTypes: {
      '1': { zh: '机关', en: 'government organ' },
      '2': { zh: '事业单位', en: 'public institution' },
      '3': {
        zh: '中央编办直接管理机构编制的群众团体',
        en: 'mass organisation staffed directly by the Central Establishment Office',
      },
      '9': OTHER,
    },
  },
  '2': {
    name: { zh: '外交', en: 'foreign affairs' },
    entityTypes: { '1': { zh: '外国常驻新闻机构', en: 'resident foreign news agency' }, '9': OTHER },
  },
  '3': {
    name: { zh: '司法行政', en: 'judicial administration' },
    entityTypes: {
      '1': { zh: '律师执业机构', en: 'law firm' },
      '2': { zh: '公证处', en: 'notary office' },
      '3': { zh: '基层法律服务所', en: 'grassroots legal service office' },
      '4': { zh: '司法鉴定机构', en: 'forensic appraisal institution' },
      '5': { zh: '仲裁委员会', en: 'arbitration commission' },
      '9': OTHER,
    },
  },
  '4': {
    name: { zh: '文化', en: 'culture' },
    entityTypes: { '1': { zh: '外国在华文化中心', en: 'foreign cultural centre in China' }, '9': OTHER },
  },
  '5': {
    name: { zh: '民政', en: 'civil affairs' },
    entityTypes: {
      '1': { zh: '社会团体', en: 'social organisation' },
      '2': { zh: '民办非企业单位', en: 'private non-enterprise unit' },
      '3': { zh: '基金会', en: 'foundation' },
      '9': OTHER,
    },
  },
  '6': {
    name: { zh: '旅游', en: 'tourism' },
    entityTypes: {
      '1': { zh: '外国旅游部门常驻代表机构', en: 'representative office of a foreign tourism authority' },
      '2': {
        zh: '港澳台地区旅游部门常驻内地（大陆）代表机构',
        en: 'representative office of a Hong Kong, Macao or Taiwan tourism authority',
      },
      '9': OTHER,
    },
  },
  '7': {
    name: { zh: '宗教', en: 'religious affairs' },
    entityTypes: {
      '1': { zh: '宗教活动场所', en: 'venue for religious activities' },
      '2': { zh: '宗教院校', en: 'religious school' },
      '9': OTHER,
    },
  },
  '8': {
    name: { zh: '工会', en: 'trade unions' },
    entityTypes: { '1': { zh: '基层工会', en: 'grassroots trade union' }, '9': OTHER },
  },
  '9': {
    name: { zh: '工商', en: 'market regulation (industry and commerce)' },
    entityTypes: {
      '1': { zh: '企业', en: 'enterprise' },
      '2': { zh: '个体工商户', en: 'individual business' },
      '3': { zh: '农民专业合作社', en: "farmers' specialised cooperative" },
    },
  },
  A: {
    name: { zh: '中央军委改革和编制办公室', en: 'CMC reform and establishment office' },
    entityTypes: { '1': { zh: '军队事业单位', en: 'military public institution' }, '9': OTHER },
  },
  N: {
    name: { zh: '农业', en: 'agriculture and rural affairs' },
    entityTypes: {
      '1': { zh: '组级集体经济组织', en: 'group-level collective economic organisation' },
      '2': { zh: '村级集体经济组织', en: 'village-level collective economic organisation' },
      '3': { zh: '乡镇级集体经济组织', en: 'township-level collective economic organisation' },
      '9': OTHER,
    },
  },
  Y: {
    name: { zh: '其他', en: 'other' },
    // The standard does not subdivide Y; it always uses 1.
    entityTypes: { '1': { zh: '不再具体划分机构类别', en: 'not subdivided' } },
  },
};

// GB/T 2260 province-level prefixes, plus 10 used by central-level registration offices (100000).
const PROVINCE_PREFIXES = new Set([
  '10',
  ...['11', '12', '13', '14', '15'],
  ...['21', '22', '23'],
  ...['31', '32', '33', '34', '35', '36', '37'],
  ...['41', '42', '43', '44', '45', '46'],
  ...['50', '51', '52', '53', '54'],
  ...['61', '62', '63', '64', '65'],
  ...['71', '81', '82'],
]);

const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

// 3^(i−1) mod 31 for i = 1..17.
const USCC_WEIGHTS = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < i; k++) w = (w * 3) % 31;
  return w;
});

/** Full-width ASCII (U+FF01..U+FF5E) → ASCII and ideographic space (U+3000) → space. */
export function toHalfWidth(input: string): string {
  return input.replace(/[\uFF01-\uFF5E\u3000]/g, (ch) =>
    ch === '\u3000' ? ' ' : String.fromCharCode(ch.charCodeAt(0) - 0xfee0),
  );
}

/** Trim, full-width → half-width, drop inner whitespace, upper-case. Idempotent. */
export function normalizeUscc(input: string): string {
  return toHalfWidth(input).replace(/\s+/g, '').toUpperCase();
}

/** GB 11714 character value: digits 0–9, letters A–Z → 10–35 (including letters USCC never uses). */
function orgCharValue(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 90) return c - 55;
  return Number.NaN;
}

/** GB 11714 check character for an 8-character organisation-code body. */
export function orgCodeCheckChar(body8: string): string {
  if (!/^[0-9A-Z]{8}$/.test(body8)) {
    throw new Error(`orgCodeCheckChar: expected 8 characters 0-9/A-Z, got "${body8}"`);
  }
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgCharValue(body8[i]!) * ORG_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** GB 32100 check character (position 18) for the first 17 characters. */
export function usccCheckChar(first17: string): string {
  if (first17.length !== 17) throw new Error(`usccCheckChar: expected 17 characters, got ${first17.length}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARSET.indexOf(first17[i]!);
    if (v < 0) throw new Error(`usccCheckChar: "${first17[i]}" at position ${i + 1} is not a USCC character`);
    sum += v * USCC_WEIGHTS[i]!;
  }
  // 31 − 0 = 31 maps to '0'; a validator that forgets this rejects real codes ending in 0.
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

function fail(code: UsccErrorCode, zh: string, en: string, position?: number): UsccResult {
  return position === undefined
    ? { ok: false, code, message: { zh, en } }
    : { ok: false, code, message: { zh, en }, position };
}

/** Normalise, then check structure and both check characters. */
export function validateUscc(input: string): UsccResult {
  const value = normalizeUscc(input);
  if (value.length !== 18) {
    return fail(
      'USCC_LENGTH',
      `统一社会信用代码应为18位，实为${value.length}位`,
      `A unified social credit code has 18 characters, got ${value.length}`,
    );
  }
  for (let i = 0; i < 18; i++) {
    const ch = value[i]!;
    if (!USCC_CHARSET.includes(ch)) {
      return fail(
        'USCC_CHARSET',
        `第${i + 1}位字符“${ch}”不允许：只能使用数字和除I、O、S、V、Z以外的大写字母`,
        `Character "${ch}" at position ${i + 1} is not allowed: only digits and capital letters except I, O, S, V, Z`,
        i + 1,
      );
    }
  }
  const authority = value[0]!;
  const authorityInfo = AUTHORITIES[authority];
  if (!authorityInfo) {
    return fail(
      'USCC_REGISTRATION_AUTHORITY',
      `第1位登记管理部门代码“${authority}”无效，应为1–9、A、N或Y`,
      `Position 1 (registration authority) "${authority}" is invalid: expected 1–9, A, N or Y`,
      1,
    );
  }
  const entityType = value[1]!;
  const entityTypeName = authorityInfo.entityTypes[entityType];
  if (!entityTypeName) {
    const allowed = Object.keys(authorityInfo.entityTypes).join('、');
    return fail(
      'USCC_ENTITY_TYPE',
      `第2位机构类别代码“${entityType}”不适用于登记管理部门“${authority}”（${authorityInfo.name.zh}），应为${allowed}`,
      `Position 2 (entity type) "${entityType}" is not valid for registration authority "${authority}" (${authorityInfo.name.en}); expected ${allowed.replaceAll('、', ', ')}`,
      2,
    );
  }
  const division = value.slice(2, 8);
  if (!/^\d{6}$/.test(division)) {
    return fail(
      'USCC_DIVISION',
      `第3–8位登记管理机关行政区划码“${division}”应为6位数字`,
      `Positions 3–8 (administrative division) "${division}" must be 6 digits`,
      3,
    );
  }
  if (!PROVINCE_PREFIXES.has(division.slice(0, 2))) {
    return fail(
      'USCC_DIVISION',
      `第3–8位行政区划码“${division}”的省级代码“${division.slice(0, 2)}”不存在`,
      `Positions 3–8 (administrative division) "${division}": "${division.slice(0, 2)}" is not a province-level code`,
      3,
    );
  }
  const orgCode = value.slice(8, 17);
  const expectedOrg = orgCodeCheckChar(orgCode.slice(0, 8));
  if (orgCode[8] !== expectedOrg) {
    return fail(
      'USCC_ORG_CHECK',
      `第9–17位组织机构代码校验不符：按第9–16位计算，第17位应为${expectedOrg}，实为${orgCode[8]}`,
      `Organisation code (positions 9–17) check failed: from positions 9–16, position 17 should be ${expectedOrg}, not ${orgCode[8]}`,
      17,
    );
  }
  const expected = usccCheckChar(value.slice(0, 17));
  if (value[17] !== expected) {
    return fail(
      'USCC_CHECK',
      `校验码不符：按前17位计算，第18位校验码应为${expected}，实为${value[17]}（请逐位核对）`,
      `Check character mismatch: from the first 17 characters, position 18 should be ${expected}, not ${value[17]} (check every character)`,
      18,
    );
  }
  return {
    ok: true,
    value,
    parts: {
      authority,
      authorityName: authorityInfo.name,
      entityType,
      entityTypeName,
      division,
      orgCode,
      checkChar: expected,
    },
  };
}

export type MakeUsccInput = {
  authority: string;
  entityType: string;
  division: string;
  /** Positions 9–16; the GB 11714 check (position 17) is computed. */
  orgCodeBody8: string;
};

/** Build a valid code, computing positions 17 and 18; throws if the parts cannot make one. */
export function makeUscc({ authority, entityType, division, orgCodeBody8 }: MakeUsccInput): string {
  const body = normalizeUscc(orgCodeBody8);
  if (!/^[0-9A-Z]{8}$/.test(body)) {
    throw new Error(`makeUscc: orgCodeBody8 must be 8 characters, got "${orgCodeBody8}"`);
  }
  const first17 = `${authority}${entityType}${division}${body}${orgCodeCheckChar(body)}`;
  if (first17.length !== 17) throw new Error(`makeUscc: parts make ${first17.length} characters, not 17`);
  if ([...first17].some((ch) => !USCC_CHARSET.includes(ch))) {
    throw new Error(`makeUscc: "${first17}" has characters outside the USCC charset`);
  }
  const code = first17 + usccCheckChar(first17);
  const result = validateUscc(code);
  if (!result.ok) throw new Error(`makeUscc: ${result.message.en}`);
  return code;
}
