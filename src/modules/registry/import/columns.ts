// The columns of an enterprise file: one table that the import reads, the export and the template
// write, and the report names. Keys are the fields of EnterpriseInput, so a validation error's
// field maps straight back to the column the value came from.
import { AppError, type Message } from '../../../core/errors.js';
import type { EnterpriseInput } from '../enterprise-input.js';

export type ColumnKey = keyof EnterpriseInput;

export type ColumnSpec = {
  key: ColumnKey;
  /** The header the export and the template write. */
  zh: string;
  en: string;
  /** Other headers people use for the same thing (Chinese registers, old templates). */
  aliases: string[];
  required: boolean;
  /** Column width in an XLSX, in characters. */
  width: number;
};

export const COLUMNS: readonly ColumnSpec[] = [
  {
    key: 'uscc',
    zh: '统一社会信用代码',
    en: 'uscc',
    aliases: [
      '社会信用代码',
      '信用代码',
      '统一代码',
      '统一社会信用代码/注册号',
      'credit_code',
      'unified_social_credit_code',
    ],
    required: true,
    width: 22,
  },
  {
    key: 'name',
    zh: '企业名称',
    en: 'name',
    aliases: [
      '名称',
      '单位名称',
      '企业(单位)名称',
      '市场主体名称',
      '主体名称',
      'enterprise_name',
      'company_name',
      'company',
    ],
    required: true,
    width: 36,
  },
  {
    key: 'legalRepresentative',
    zh: '法定代表人',
    en: 'legal_representative',
    aliases: ['法人', '法人代表', '法定代表人(负责人)', '负责人', 'legal_person', 'legal_rep'],
    required: false,
    width: 12,
  },
  {
    key: 'registeredAddress',
    zh: '注册地址',
    en: 'registered_address',
    aliases: ['住所', '地址', '住所(经营场所)', '经营场所', '注册地', 'address'],
    required: false,
    width: 40,
  },
  {
    key: 'townCode',
    zh: '所属镇街',
    en: 'town',
    aliases: ['镇街', '镇街代码', '所属镇(街)', '镇(街道)', '所属镇街道', '所在镇街', 'town_code'],
    required: true,
    width: 12,
  },
  {
    key: 'industryCode',
    zh: '行业代码',
    en: 'industry',
    aliases: ['行业', '行业类别', '所属行业', '国民经济行业代码', '国民经济行业分类', 'industry_code'],
    required: false,
    width: 10,
  },
  {
    key: 'registeredOn',
    zh: '成立日期',
    en: 'registered_on',
    aliases: ['成立时间', '注册日期', '登记日期', '设立日期', 'established_on', 'founded'],
    required: false,
    width: 12,
  },
  {
    key: 'status',
    zh: '状态',
    en: 'status',
    aliases: ['经营状态', '登记状态', '企业状态'],
    required: false,
    width: 8,
  },
  {
    key: 'scale',
    zh: '企业规模',
    en: 'scale',
    aliases: ['规模'],
    required: false,
    width: 10,
  },
  {
    key: 'tags',
    zh: '企业标签',
    en: 'tags',
    aliases: ['标签'],
    required: false,
    width: 30,
  },
  {
    key: 'productCategories',
    zh: '产品类别',
    en: 'product_categories',
    aliases: [
      '生产的产品类别',
      '生产产品类别',
      '主要产品类别',
      '产品类别代码',
      '产品类别名称',
      'product_category',
    ],
    required: false,
    width: 30,
  },
];

export const COLUMN_BY_KEY = Object.fromEntries(COLUMNS.map((c) => [c.key, c])) as Record<
  ColumnKey,
  ColumnSpec
>;

/**
 * The comparable form of a header: no BOM, full-width → half-width (so （） match ()), no spaces,
 * underscores or hyphens, lower case, and no trailing required-marker `*`.
 */
export function normalizeHeader(raw: string): string {
  return raw
    .replace(/\uFEFF/g, '')
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000_-]+/g, '')
    .replace(/\*+$/, '')
    .replace(/^\*+/, '')
    .toLowerCase();
}

const HEADER_INDEX = new Map<string, ColumnKey>();
for (const c of COLUMNS) {
  for (const h of [c.zh, c.en, c.key, ...c.aliases]) {
    const n = normalizeHeader(h);
    const prior = HEADER_INDEX.get(n);
    if (prior && prior !== c.key) throw new Error(`columns: header "${h}" names both ${prior} and ${c.key}`);
    HEADER_INDEX.set(n, c.key);
  }
}

/** The column key a header names, or undefined. A trailing hint in brackets is ignored: 成立日期（YYYY-MM-DD）. */
export function matchHeader(raw: string): ColumnKey | undefined {
  const n = normalizeHeader(raw);
  if (!n) return undefined;
  const exact = HEADER_INDEX.get(n);
  if (exact) return exact;
  const bare = n.replace(/\([^()]*\)$|\[[^[\]]*\]$|【[^【】]*】$/, '');
  return bare !== n ? HEADER_INDEX.get(bare) : undefined;
}

export type FileWarning = { row: number; column: string | null; code: string; message: Message };

export type ResolvedColumns = {
  /** One entry per recognised column: where it is in the record and how the file spells it. */
  columns: { index: number; key: ColumnKey; header: string }[];
  /** The header text for each key present (for the report's `column`). */
  headerOf: Partial<Record<ColumnKey, string>>;
  warnings: FileWarning[];
};

/**
 * Maps a header row to column keys. Unknown headers are one warning; a missing required column or
 * two columns naming the same field refuse the file (VALIDATION_FAILED, field 'file').
 */
export function resolveColumns(headers: string[], headerRow = 1): ResolvedColumns {
  const columns: ResolvedColumns['columns'] = [];
  const headerOf: ResolvedColumns['headerOf'] = {};
  const unknown: string[] = [];
  const duplicate: string[] = [];
  headers.forEach((raw, index) => {
    const header = raw.replace(/\uFEFF/g, '').trim();
    if (!header) return;
    const key = matchHeader(header);
    if (!key) {
      unknown.push(header);
      return;
    }
    if (headerOf[key] !== undefined) {
      duplicate.push(`${headerOf[key]} / ${header}`);
      return;
    }
    headerOf[key] = header;
    columns.push({ index, key, header });
  });

  const missing = COLUMNS.filter((c) => c.required && headerOf[c.key] === undefined);
  if (missing.length || duplicate.length) {
    const fields = [
      ...missing.map((c) => ({
        field: 'file',
        code: 'MISSING_COLUMN',
        message: { zh: `缺少必需的列：${c.zh}（${c.en}）`, en: `Missing required column: ${c.en} (${c.zh})` },
      })),
      ...duplicate.map((d) => ({
        field: 'file',
        code: 'DUPLICATE_COLUMN',
        message: { zh: `多个列对应同一字段：${d}`, en: `Several columns name the same field: ${d}` },
      })),
    ];
    const zh = [
      missing.length ? `缺少必需的列：${missing.map((c) => c.zh).join('、')}` : '',
      duplicate.length ? `多个列对应同一字段：${duplicate.join('；')}` : '',
    ]
      .filter(Boolean)
      .join('；');
    const en = [
      missing.length ? `missing required columns: ${missing.map((c) => `${c.en} (${c.zh})`).join(', ')}` : '',
      duplicate.length ? `several columns name the same field: ${duplicate.join('; ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const found = headers
      .map((h) => h.trim())
      .filter(Boolean)
      .join(', ');
    throw new AppError('VALIDATION_FAILED', {
      fields,
      message: {
        zh: `文件无法导入：${zh}。第${headerRow}行应为表头（如：${COLUMNS.filter((c) => c.required)
          .map((c) => c.zh)
          .join('、')}），可下载导入模板对照`,
        en: `The file cannot be imported: ${en}. Line ${headerRow} must be the header row (e.g. ${COLUMNS.filter(
          (c) => c.required,
        )
          .map((c) => c.en)
          .join(', ')}); download the template to compare`,
      },
      detail: `Header row ${headerRow}: ${found || '(empty)'}`,
    });
  }

  const warnings: FileWarning[] = [];
  if (unknown.length) {
    warnings.push({
      row: headerRow,
      column: null,
      code: 'UNKNOWN_COLUMNS',
      message: {
        zh: `以下列无法识别，已忽略：${unknown.join('、')}`,
        en: `These columns are not recognised and were ignored: ${unknown.join(', ')}`,
      },
    });
  }
  return { columns, headerOf, warnings };
}
