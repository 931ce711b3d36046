// Export of the register with the search filters, streamed in keyset pages, as CSV (UTF-8 with
// BOM, CRLF, RFC 4180 quoting — Excel opens it directly) or XLSX (exceljs streaming writer). The
// headers and value forms are exactly what the import reads, so an export imports back unchanged.
// Contacts are never part of an export.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import { json } from '../../../db/codecs.js';
import type { Database } from '../../../db/schema.js';
import type { AppContext } from '../../../platform/context.js';
import {
  type EnterpriseInput,
  type EnterpriseScale,
  type EnterpriseStatus,
  MAX_PRODUCT_CATEGORIES,
  PRODUCT_CATEGORY_SEPARATORS,
  SCALE_LABELS,
  STATUS_LABELS,
  TAG_LABELS,
} from '../enterprise-input.js';
import { loadProductCategoryLookup, productLinksOf } from '../enterprise-products.js';
import { type EnterpriseFilter, enterpriseQuery } from '../enterprises.js';
import { makeUscc } from '../uscc.js';
import { COLUMNS, type ColumnKey } from './columns.js';

// --- CSV writing -----------------------------------------------------------------------------

export const CSV_BOM = '\uFEFF';

/**
 * RFC 4180: a field with a comma, quote, CR or LF is quoted, and its quotes doubled. A tab is
 * quoted too, so a one-column file is never mistaken for a tab-separated one.
 */
export function csvField(value: string): string {
  return /[",\r\n\t]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV record with its CRLF. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/**
 * A cell Excel would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe;
 * the import removes exactly one again (see `unguard` in parse.ts), so the round trip is exact.
 */
export function guardFormula(value: string): string {
  return /^'*[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

// --- rows ------------------------------------------------------------------------------------

/** The export's value of each column: the forms the import reads (Chinese names and labels). */
export type ExportRow = Record<ColumnKey, string> & { registeredOnDate: string | null };

const TAG_SEPARATOR = '、';

export function tagsToText(tags: readonly string[]): string {
  return tags.map((t) => TAG_LABELS[t] ?? t).join(TAG_SEPARATOR);
}

/**
 * Writes a set of product-category codes as the import reads it back: each by its name when that
 * name names it alone and holds no separator, else by its code; joined by 、.
 */
export async function productCategoryWriter(db: Kysely<Database>) {
  const lookup = await loadProductCategoryLookup(db);
  const rows = await db.selectFrom('product_categories').select(['code', 'name']).execute();
  const text = new Map<string, string>();
  for (const r of rows) {
    const back = lookup(r.name);
    const byName =
      !PRODUCT_CATEGORY_SEPARATORS.test(r.name) && back && 'code' in back && back.code === r.code;
    text.set(r.code, byName ? r.name : r.code);
  }
  return (codes: readonly string[]) => codes.map((c) => text.get(c) ?? c).join(TAG_SEPARATOR);
}

type SourceRow = {
  id: string;
  uscc: string;
  name: string;
  legal_representative: string | null;
  registered_address: string | null;
  town_code: string;
  town_name: string | null;
  industry_code: string | null;
  registered_on: string | null;
  status: string;
  scale: string | null;
  tags: string;
};

export function toExportRow(r: SourceRow, productCategories = ''): ExportRow {
  return {
    uscc: r.uscc,
    name: r.name,
    legalRepresentative: r.legal_representative ?? '',
    registeredAddress: r.registered_address ?? '',
    townCode: r.town_name ?? r.town_code,
    industryCode: r.industry_code ?? '',
    registeredOn: r.registered_on ?? '',
    registeredOnDate: r.registered_on,
    status: STATUS_LABELS[r.status as EnterpriseStatus] ?? r.status,
    scale: r.scale ? (SCALE_LABELS[r.scale as EnterpriseScale] ?? r.scale) : '',
    tags: tagsToText(json.read<string[]>(r.tags, [])),
    productCategories,
  };
}

export type ExportFilter = Omit<EnterpriseFilter, 'scope'>;
export type ExportOptions = {
  filters: ExportFilter;
  /** The viewer's scope (a town officer sees their town). */
  scope?: EnterpriseFilter['scope'];
  out: Writable;
  pageSize?: number;
  onProgress?: (rows: number) => void;
  /** End `out` when done (default true). */
  end?: boolean;
};

/** The rows of the register matching the filters, in (name, id) order, a keyset page at a time. */
export async function* exportRows(
  ctx: AppContext,
  filters: ExportFilter,
  scope?: EnterpriseFilter['scope'],
  pageSize = 1000,
): AsyncGenerator<ExportRow[]> {
  let cursor: { name: string; id: string } | null = null;
  const categoriesText = await productCategoryWriter(ctx.db);
  for (;;) {
    let q = enterpriseQuery(ctx, { ...filters, scope }).select([
      'e.id',
      'e.uscc',
      'e.name',
      'e.legal_representative',
      'e.registered_address',
      'e.town_code',
      't.name as town_name',
      'e.industry_code',
      'e.registered_on',
      'e.status',
      'e.scale',
      'e.tags',
    ]);
    if (cursor) {
      const c: { name: string; id: string } = cursor;
      q = q.where((eb) =>
        eb.or([eb('e.name', '>', c.name), eb.and([eb('e.name', '=', c.name), eb('e.id', '>', c.id)])]),
      );
    }
    const page = await q.orderBy('e.name').orderBy('e.id').limit(pageSize).execute();
    if (page.length === 0) return;
    const links = await productLinksOf(
      ctx.db,
      page.map((r) => r.id),
    );
    yield page.map((r) => toExportRow(r, categoriesText(links.get(r.id) ?? [])));
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    cursor = { name: last.name, id: last.id };
  }
}

async function write(out: Writable, chunk: string | Buffer) {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function close(out: Writable, end: boolean) {
  if (!end) return;
  out.end();
  await finished(out, { readable: false });
}

export const EXPORT_HEADERS = COLUMNS.map((c) => c.zh);

const csvCells = (r: Record<ColumnKey, string>) => COLUMNS.map((c) => guardFormula(r[c.key]));

/** CSV export: UTF-8 with BOM, CRLF, Chinese headers. Returns the number of rows written. */
export async function exportEnterprisesCsv(ctx: AppContext, opts: ExportOptions): Promise<{ rows: number }> {
  const { out } = opts;
  let rows = 0;
  try {
    await write(out, CSV_BOM + csvLine(EXPORT_HEADERS));
    for await (const page of exportRows(ctx, opts.filters, opts.scope, opts.pageSize)) {
      let text = '';
      for (const r of page) text += csvLine(csvCells(r));
      await write(out, text);
      rows += page.length;
      opts.onProgress?.(rows);
    }
  } catch (e) {
    out.destroy(e as Error);
    throw e;
  }
  await close(out, opts.end !== false);
  return { rows };
}

// --- XLSX writing ----------------------------------------------------------------------------

const DATE_FORMAT = 'yyyy-mm-dd';
const TEXT_FORMAT = '@';

function sheetColumns(): Partial<ExcelJS.Column>[] {
  return COLUMNS.map((c) => ({
    header: c.zh,
    key: c.key,
    width: c.width,
    // USCC, industry and product-category codes are text: Excel must never turn them into numbers.
    style:
      c.key === 'registeredOn'
        ? { numFmt: DATE_FORMAT }
        : c.key === 'uscc' || c.key === 'industryCode' || c.key === 'productCategories'
          ? { numFmt: TEXT_FORMAT }
          : {},
  }));
}

function xlsxValues(r: ExportRow): Record<string, string | Date | null> {
  const v: Record<string, string | Date | null> = {};
  for (const c of COLUMNS) v[c.key] = r[c.key] === '' ? null : r[c.key];
  // A real date, so Excel sorts and filters it; written at UTC midnight, read back as the same day.
  if (r.registeredOnDate) v.registeredOn = new Date(`${r.registeredOnDate}T00:00:00Z`);
  return v;
}

const lastColumn = () => String.fromCharCode(64 + COLUMNS.length);

function styleHeader(row: ExcelJS.Row) {
  row.font = { bold: true };
  row.alignment = { vertical: 'middle' };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
}

export const SHEET_NAME = '企业名录';

/** XLSX export with the streaming writer: header bold and frozen, column widths, USCC as text. */
export async function exportEnterprisesXlsx(ctx: AppContext, opts: ExportOptions): Promise<{ rows: number }> {
  const { out } = opts;
  let rows = 0;
  try {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: true,
      useSharedStrings: false,
    });
    wb.creator = '质汇 Zhihui';
    const ws = wb.addWorksheet(SHEET_NAME, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = sheetColumns();
    styleHeader(ws.getRow(1));
    ws.autoFilter = `A1:${lastColumn()}1`;
    ws.getRow(1).commit();
    for await (const page of exportRows(ctx, opts.filters, opts.scope, opts.pageSize)) {
      for (const r of page) ws.addRow(xlsxValues(r)).commit();
      rows += page.length;
      opts.onProgress?.(rows);
      // let the writer drain to `out` between pages
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    ws.commit();
    await wb.commit(); // ends `out`
  } catch (e) {
    out.destroy(e as Error);
    throw e;
  }
  if (opts.end !== false && !out.writableFinished) await finished(out, { readable: false }).catch(() => {});
  return { rows };
}

// --- template --------------------------------------------------------------------------------

/** The example row of the template: a valid enterprise in Chang'an (长安镇), division 441900. */
export function templateExample(): Record<ColumnKey, string> {
  const example: EnterpriseInput = {
    uscc: makeUscc({ authority: '9', entityType: '1', division: '441900', orgCodeBody8: 'MA4UJ2TE' }),
    name: '东莞市示例电子科技有限公司',
    legalRepresentative: '张三',
    registeredAddress: '广东省东莞市长安镇示例路1号',
    townCode: '长安镇',
    industryCode: 'C3982',
    registeredOn: '2015-06-30',
    status: 'operating',
    scale: 'small',
    tags: ['highTech'],
    productCategories: ['0104', '0107'],
  };
  return {
    uscc: example.uscc,
    name: example.name,
    legalRepresentative: example.legalRepresentative ?? '',
    registeredAddress: example.registeredAddress ?? '',
    townCode: example.townCode,
    industryCode: example.industryCode ?? '',
    registeredOn: example.registeredOn ?? '',
    status: STATUS_LABELS[example.status],
    scale: example.scale ? SCALE_LABELS[example.scale] : '',
    tags: tagsToText(example.tags),
    // the shipped catalogue's names of 0104 and 0107
    productCategories: '电源适配器及充电器、电子元器件',
  };
}

/** The CSV template: the headers the import reads and one example row, UTF-8 with BOM. */
export function templateCsv(): Buffer {
  const ex = templateExample();
  return Buffer.from(CSV_BOM + csvLine(EXPORT_HEADERS) + csvLine(COLUMNS.map((c) => ex[c.key])), 'utf8');
}

const NOTES: Record<ColumnKey, string> = {
  uscc: '18位统一社会信用代码，按此代码新增或更新',
  name: '企业全称，不超过100字',
  legalRepresentative: '可选',
  registeredAddress: '可选，不超过200字',
  townCode: '镇街名称（如 长安镇、松山湖）或9位代码，见“镇街”工作表',
  industryCode: '可选：国民经济行业代码 GB/T 4754，如 C3982、3982、39',
  registeredOn: '可选：如 2015-06-30、2015/6/30、2015年6月30日',
  status: '可选，默认存续：存续、停业、注销、吊销',
  scale: '可选：大型、中型、小型、微型',
  tags: `可选，多个用顿号或分号分隔：${Object.values(TAG_LABELS).join('、')}`,
  productCategories: `可选：企业生产的产品类别，填类别代码或名称（与产品类别目录一致，见“产品类别”工作表），多个用顿号、分号或逗号分隔，最多${MAX_PRODUCT_CATEGORIES}个；本列为空则清除已有类别，不含本列则不变`,
};

/**
 * The XLSX template: the headers, one example row, drop-downs for status, scale and town, and
 * two more sheets — the list of towns and what each column takes. The import reads only the
 * first sheet.
 */
export async function templateXlsx(ctx: AppContext): Promise<Buffer> {
  const towns = await ctx.db.selectFrom('towns').select(['code', 'name']).orderBy('sort').execute();
  const wb = new ExcelJS.Workbook();
  wb.creator = '质汇 Zhihui';
  const ws = wb.addWorksheet(SHEET_NAME, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = sheetColumns();
  styleHeader(ws.getRow(1));
  const ex = templateExample();
  const row = ws.addRow({ ...ex, registeredOn: new Date(`${ex.registeredOn}T00:00:00Z`) });
  row.font = { color: { argb: 'FF808080' } };
  COLUMNS.forEach((c, i) => {
    ws.getRow(1).getCell(i + 1).note = NOTES[c.key];
  });
  const col = (key: ColumnKey) => String.fromCharCode(65 + COLUMNS.findIndex((c) => c.key === key));
  const range = (key: ColumnKey) => `${col(key)}2:${col(key)}10000`;
  const list = (formula: string) => ({
    type: 'list' as const,
    allowBlank: true,
    formulae: [formula],
    showErrorMessage: false,
  });
  const dv = (ws as unknown as { dataValidations: { add: (r: string, v: unknown) => void } }).dataValidations;
  dv.add(range('status'), list(`"${Object.values(STATUS_LABELS).join(',')}"`));
  dv.add(range('scale'), list(`"${Object.values(SCALE_LABELS).join(',')}"`));
  if (towns.length) dv.add(range('townCode'), list(`'镇街'!$A$2:$A$${towns.length + 1}`));

  const tw = wb.addWorksheet('镇街');
  tw.columns = [
    { header: '镇街名称', key: 'name', width: 16 },
    { header: '镇街代码', key: 'code', width: 14, style: { numFmt: TEXT_FORMAT } },
  ];
  styleHeader(tw.getRow(1));
  for (const t of towns) tw.addRow({ name: t.name, code: t.code });

  const categories = await ctx.db
    .selectFrom('product_categories')
    .select(['code', 'name', 'industry_code'])
    .where('active', '=', 1)
    .orderBy('code')
    .execute();
  const cw = wb.addWorksheet('产品类别');
  cw.columns = [
    { header: '类别代码', key: 'code', width: 10, style: { numFmt: TEXT_FORMAT } },
    { header: '类别名称', key: 'name', width: 24 },
    { header: '行业代码', key: 'industry', width: 10, style: { numFmt: TEXT_FORMAT } },
  ];
  styleHeader(cw.getRow(1));
  for (const c of categories) cw.addRow({ code: c.code, name: c.name, industry: c.industry_code ?? '' });

  const help = wb.addWorksheet('填写说明');
  help.columns = [
    { header: '列名', key: 'zh', width: 18 },
    { header: 'English header', key: 'en', width: 22 },
    { header: '必填', key: 'required', width: 6 },
    { header: '说明', key: 'note', width: 80 },
  ];
  styleHeader(help.getRow(1));
  for (const c of COLUMNS)
    help.addRow({ zh: c.zh, en: c.en, required: c.required ? '是' : '', note: NOTES[c.key] });
  help.addRow({});
  help.addRow({
    zh: '说明',
    note: '按统一社会信用代码新增或更新；同一文件内代码重复的行会被拒绝；重复导入同一文件不会产生任何变化。',
  });

  return Buffer.from(await wb.xlsx.writeBuffer());
}
