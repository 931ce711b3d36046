// `zhihui import enterprises FILE [--dry-run] [--report out.json]` and
// `zhihui export enterprises FILE [--town …] [--industry …] [--status …]`.
// The import exits 0 whenever the file was read, rejected rows or not: the report says which.
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../core/errors.js';
import { enterpriseQuery, loadReferenceLookup } from '../modules/registry/enterprises.js';
import {
  type ExportFilter,
  exportEnterprisesCsv,
  exportEnterprisesXlsx,
} from '../modules/registry/import/export.js';
import { type ImportReport, importEnterprises, summarizeReport } from '../modules/registry/import/import.js';
import { ENTERPRISE_STATUSES } from '../modules/registry/migrations.js';
import { type Actor, type AppContext, systemActor } from '../platform/context.js';
import { progressBar } from './progress.js';

const REPORT_LINES = 20;

export async function runImport(
  ctx: AppContext,
  opts: { file: string; dryRun?: boolean; report?: string; actor?: Actor; batchSize?: number },
): Promise<void> {
  const bar = progressBar(
    `${opts.dryRun ? '试导入 Dry run' : '导入 Importing'} ${path.basename(opts.file)} (bytes)`,
  );
  let report: ImportReport;
  try {
    report = await importEnterprises({
      ctx,
      actor: opts.actor ?? systemActor('cli'),
      source: opts.file,
      dryRun: !!opts.dryRun,
      batchSize: opts.batchSize,
      fileName: opts.file,
      sourceLabel: 'import',
      onProgress: (p) => bar.update(p.bytesRead, p.bytesTotal ?? p.bytesRead),
    });
  } finally {
    bar.stop();
  }
  if (opts.report) {
    fs.mkdirSync(path.dirname(path.resolve(opts.report)), { recursive: true });
    fs.writeFileSync(opts.report, `${JSON.stringify(report, null, 2)}\n`);
  }
  const s = summarizeReport(report);
  console.log(s.zh);
  console.log(s.en);
  for (const w of report.warnings) console.log(`提示 Note (第${w.row}行): ${w.message}`);
  for (const r of report.rejected.slice(0, REPORT_LINES)) {
    console.log(`  第${r.row}行 line ${r.row}${r.column ? ` [${r.column}]` : ''} ${r.code}: ${r.message}`);
  }
  const more = report.rejectedCount - Math.min(REPORT_LINES, report.rejected.length);
  if (more > 0) {
    const listed = report.rejected.length - Math.min(REPORT_LINES, report.rejected.length);
    console.log(
      `  …另有 ${more} 条${opts.report && listed ? `，前 ${listed} 条见 ${opts.report}` : ''} / ${more} more${opts.report && listed ? `, the first ${listed} in ${opts.report}` : ''}`,
    );
    const codes = Object.entries(report.rejectedByCode)
      .map(([code, n]) => `${code} ${n}`)
      .join('，');
    console.log(`  按原因统计 By reason: ${codes}`);
  }
  if (opts.report) console.log(`报告已写入 Report written to ${opts.report}`);
}

/** CLI filter values may be names or labels people type (长安镇, 存续); the export takes codes. */
async function resolveFilters(
  ctx: AppContext,
  raw: Record<string, string | undefined>,
): Promise<ExportFilter> {
  const filters: ExportFilter = {};
  const refs = await loadReferenceLookup(ctx.db);
  const bad = (field: string, value: string, zh: string, en: string) =>
    new AppError('VALIDATION_FAILED', {
      fields: [{ field, code: 'INVALID', message: { zh: `${zh}：${value}`, en: `${en}: ${value}` } }],
    });
  if (raw.town) {
    const town = refs.town(raw.town.trim());
    if (!town) throw bad('town', raw.town, '未知的镇街', 'Unknown town');
    filters.town = town;
  }
  if (raw.industry) {
    const s = raw.industry.trim().toUpperCase();
    const industry = /^[A-T]$/.test(s) ? s : refs.industry(s);
    if (!industry) throw bad('industry', raw.industry, '未知的行业代码', 'Unknown industry code');
    filters.industry = industry;
  }
  if (raw.status) {
    const labels: Record<string, string> = {
      存续: 'operating',
      停业: 'suspended',
      注销: 'cancelled',
      吊销: 'revoked',
    };
    const status = labels[raw.status.trim()] ?? raw.status.trim().toLowerCase();
    if (!(ENTERPRISE_STATUSES as readonly string[]).includes(status))
      throw bad('status', raw.status, '未知的经营状态', 'Unknown status');
    filters.status = status;
  }
  for (const k of ['scale', 'tag', 'q'] as const) if (raw[k]) filters[k] = raw[k];
  return filters;
}

export async function runExport(
  ctx: AppContext,
  opts: { file: string; filters?: Record<string, string | undefined> },
): Promise<void> {
  const ext = path.extname(opts.file).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') {
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        {
          field: 'file',
          code: 'UNSUPPORTED_EXTENSION',
          message: {
            zh: '导出文件名应以 .csv 或 .xlsx 结尾',
            en: 'The export file name must end in .csv or .xlsx',
          },
        },
      ],
    });
  }
  const filters = await resolveFilters(ctx, opts.filters ?? {});
  const counted = await enterpriseQuery(ctx, filters)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  const total = Number(counted?.n ?? 0);
  fs.mkdirSync(path.dirname(path.resolve(opts.file)), { recursive: true });
  const tmp = `${opts.file}.part`;
  const out = fs.createWriteStream(tmp);
  const bar = progressBar(`导出 Exporting ${path.basename(opts.file)}`);
  let result: { rows: number };
  try {
    const run = ext === '.csv' ? exportEnterprisesCsv : exportEnterprisesXlsx;
    result = await run(ctx, { filters, out, onProgress: (n) => bar.update(n, Math.max(total, n)) });
    bar.update(result.rows, Math.max(total, result.rows));
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    bar.stop();
  }
  // Written aside and renamed, so a half-written file never carries the final name.
  fs.renameSync(tmp, opts.file);
  console.log(
    `已导出 ${result.rows} 家企业到 ${opts.file} / Exported ${result.rows} enterprises to ${opts.file}`,
  );
}
