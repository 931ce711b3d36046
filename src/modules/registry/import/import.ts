// Import of enterprises from a CSV or XLSX file. Every row is checked by validateEnterprise (the
// one validator) and every rejected row is reported with its reason; valid rows are written in
// batches through upsertEnterprises (the one write path), each batch in its own transaction, so a
// crash leaves whole batches or nothing, and importing the same file again changes nothing.
import type { Kysely } from 'kysely';
import type { Message } from '../../../core/errors.js';
import { todayInShanghai } from '../../../core/workdays.js';
import { refreshStatistics } from '../../../db/maintenance.js';
import type { Database } from '../../../db/schema.js';
import { diffFields } from '../../../platform/audit.js';
import type { Actor, AppContext } from '../../../platform/context.js';
import { type EnterpriseInput, validateEnterprise } from '../enterprise-input.js';
import { productLinksOf } from '../enterprise-products.js';
import {
  type EnterpriseRow,
  loadReferenceLookup,
  rowToInput,
  upsertEnterprises,
  withProductCategories,
} from '../enterprises.js';
import { normalizeUscc } from '../uscc.js';
import type { ColumnKey, FileWarning } from './columns.js';
import { type ImportLimits, importLimitsFrom } from './limits.js';
import { openEnterpriseFileOffThread } from './off-thread.js';
import { type ImportSource, internalDetail, openEnterpriseFile, type ParsedFile } from './parse.js';

/** One problem with one row: `row` is the line of the file (header = line 1). */
export type ImportRejection = { row: number; column: string | null; code: string; message: string };

export type ImportReport = {
  total: number;
  imported: number;
  updated: number;
  unchanged: number;
  /** The first rejections in full, by line (at most `maxReportedRejections`). */
  rejected: ImportRejection[];
  /** Lines rejected, all told. */
  rejectedRows: number;
  /** Rejections all told, and by code: what the list leaves out is still counted here. */
  rejectedCount: number;
  rejectedByCode: Record<string, number>;
  /** Rejections not in `rejected` (0 when the list is whole). */
  rejectedOmitted: number;
  /** File-level notes that refuse nothing (unknown columns, skipped title rows). */
  warnings: ImportRejection[];
  dryRun: boolean;
};

export type ImportProgress = {
  /** Data rows read so far. */
  rows: number;
  /** Rows written (or, in a dry run, classified) so far. */
  done: number;
  bytesRead: number;
  bytesTotal: number | null;
};

export type ImportOptions = {
  ctx: AppContext;
  actor: Actor;
  source: ImportSource;
  dryRun?: boolean;
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void | Promise<void>;
  /** Limits the import to one town (a town officer's scope); other rows are OUT_OF_SCOPE. */
  scope?: { townCode?: string };
  /** The file's name, for clearer messages about its format. */
  fileName?: string;
  /** Recorded as `source` on the enterprise events (default 'import'). */
  sourceLabel?: string;
  /** Rows, columns, cell length, uncompressed size, rejections kept (default: the configuration's). */
  limits?: Partial<ImportLimits>;
  /** Parse in a worker thread, off the event loop (default true). */
  offThread?: boolean;
};

const MAX_ATTEMPTS = 3;

/**
 * Batches written at the same time. On PostgreSQL two transactions on two connections let the
 * server insert one batch while this process validates and serialises the next (the machine's two
 * cores both work); batches never share a USCC (a repeat in the file is rejected), so they cannot
 * conflict with each other. SQLite has one writer: one batch at a time.
 */
const CONCURRENT_BATCHES = { postgres: 2, sqlite: 1 } as const;

/** Errors worth retrying a batch for: a concurrent writer won a race for the same USCC or lock. */
function isTransient(e: unknown): boolean {
  const code = String((e as { code?: unknown })?.code ?? '');
  return (
    ['23505', '40001', '40P01'].includes(code) ||
    code.startsWith('SQLITE_BUSY') ||
    code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

async function existingByUscc(db: Kysely<Database>, usccs: string[]) {
  const map = new Map<string, EnterpriseRow>();
  for (let i = 0; i < usccs.length; i += 500) {
    const rows = await db
      .selectFrom('enterprises')
      .selectAll()
      .where('uscc', 'in', usccs.slice(i, i + 500))
      .execute();
    for (const r of rows) map.set(r.uscc, r);
  }
  return map;
}

const toEntry = (w: FileWarning): ImportRejection => ({
  row: w.row,
  column: w.column,
  code: w.code,
  message: w.message.zh,
});

export async function importEnterprises(opts: ImportOptions): Promise<ImportReport> {
  const { ctx } = opts;
  const limits: ImportLimits = { ...importLimitsFrom(ctx.config ?? {}), ...opts.limits };
  let file: ParsedFile;
  try {
    file =
      opts.offThread === false
        ? await openEnterpriseFile(opts.source, { fileName: opts.fileName, limits })
        : await openEnterpriseFileOffThread(opts.source, { fileName: opts.fileName, limits });
  } catch (e) {
    // what a library said about the file goes to the log, never into the answer
    const internal = e instanceof Error && 'code' in e ? internalDetail(e as never) : undefined;
    if (internal) ctx.log.warn({ internal, fileName: opts.fileName }, 'import file refused');
    throw e;
  }
  try {
    return await importRecords(opts, file, limits);
  } finally {
    await file.records.return(undefined);
  }
}

async function importRecords(
  opts: ImportOptions,
  file: ParsedFile,
  limits: ImportLimits,
): Promise<ImportReport> {
  const { ctx, actor } = opts;
  const dryRun = opts.dryRun ?? false;
  const batchSize = Math.max(1, opts.batchSize ?? 1000);
  const scopeTown = opts.scope?.townCode;
  const refs = await loadReferenceLookup(ctx.db);
  const today = todayInShanghai(ctx.clock.now());
  const scopeTownName = scopeTown
    ? ((await ctx.db.selectFrom('towns').select('name').where('code', '=', scopeTown).executeTakeFirst())
        ?.name ?? scopeTown)
    : '';

  const report: ImportReport = {
    total: 0,
    imported: 0,
    updated: 0,
    unchanged: 0,
    rejected: [],
    rejectedRows: 0,
    rejectedCount: 0,
    rejectedByCode: {},
    rejectedOmitted: 0,
    warnings: file.warnings.map(toEntry),
    dryRun,
  };
  const headerOf = (field: string): string | null =>
    Object.hasOwn(file.columns.headerOf, field)
      ? (file.columns.headerOf[field as ColumnKey] ?? field)
      : field;
  // The report keeps the first rejections (by line) in full and counts the rest by code, so a
  // file of a million bad lines costs a bounded report, in memory and on the wire.
  const keep = Math.max(0, limits.maxReportedRejections);
  const byCode = new Map<string, number>();
  const trim = () => {
    report.rejected.sort((a, b) => a.row - b.row);
    report.rejected.length = Math.min(report.rejected.length, keep);
  };
  let lastRejectedRow = -1;
  const reject = (row: number, field: string | null, code: string, message: Message) => {
    report.rejectedCount++;
    if (row !== lastRejectedRow) report.rejectedRows++;
    lastRejectedRow = row;
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
    report.rejected.push({ row, column: field === null ? null : headerOf(field), code, message: message.zh });
    if (report.rejected.length > 2 * keep + 100) trim();
  };

  const outOfOtherTown = (row: number) =>
    reject(row, 'townCode', 'OUT_OF_SCOPE', {
      zh: `该企业登记在其他镇街，只能导入和修改本镇街（${scopeTownName}）的企业`,
      en: `This enterprise is registered in another town; only enterprises of ${scopeTownName} may be imported`,
    });

  const firstRow = new Map<string, number>();
  let batch: { row: number; value: EnterpriseInput }[] = [];
  let done = 0;
  const inflight = new Set<Promise<void>>();
  const maxInflight = CONCURRENT_BATCHES[ctx.dialect] ?? 1;
  let failure: { error: unknown } | null = null;

  const progress = async () => {
    await opts.onProgress?.({
      rows: report.total,
      done,
      bytesRead: file.bytesRead(),
      bytesTotal: file.bytesTotal,
    });
  };

  const write = async (rows: { row: number; value: EnterpriseInput }[]) => {
    if (dryRun) {
      const existing = await existingByUscc(
        ctx.db,
        rows.map((r) => r.value.uscc),
      );
      const linked = await productLinksOf(
        ctx.db,
        [...existing.values()].map((e) => e.id),
      );
      for (const { row, value } of rows) {
        const old = existing.get(value.uscc);
        if (old && scopeTown && old.town_code !== scopeTown) outOfOtherTown(row);
        else if (!old) report.imported++;
        else if (
          diffFields(withProductCategories(rowToInput(old), value, linked.get(old.id)), value).length === 0
        )
          report.unchanged++;
        else report.updated++;
      }
    } else {
      for (let attempt = 1; ; attempt++) {
        try {
          const outcome = await ctx.db.transaction().execute(async (trx) => {
            let kept = rows;
            const foreign: number[] = [];
            if (scopeTown) {
              // A town officer may not take over an enterprise registered elsewhere.
              const existing = await existingByUscc(
                trx,
                rows.map((r) => r.value.uscc),
              );
              kept = rows.filter((r) => {
                const old = existing.get(r.value.uscc);
                if (old && old.town_code !== scopeTown) {
                  foreign.push(r.row);
                  return false;
                }
                return true;
              });
            }
            const result = await upsertEnterprises(trx, {
              actor,
              now: ctx.clock.now(),
              rows: kept.map((r) => r.value),
              source: opts.sourceLabel ?? 'import',
            });
            return { result, foreign };
          });
          for (const row of outcome.foreign) outOfOtherTown(row);
          report.imported += outcome.result.imported;
          report.updated += outcome.result.updated;
          report.unchanged += outcome.result.unchanged;
          break;
        } catch (e) {
          if (attempt >= MAX_ATTEMPTS || !isTransient(e)) throw e;
          ctx.log.warn({ err: String(e), attempt }, 'import batch retried after a concurrent write');
        }
      }
    }
    done += rows.length;
    await progress();
  };

  /** Hands the current batch to a writer, waiting while the maximum are already writing. */
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    while (inflight.size >= maxInflight) await Promise.race(inflight);
    if (failure) return; // reported after the writers in flight have finished
    const p: Promise<void> = write(rows)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  for await (const rec of file.records) {
    if (failure) break;
    report.total++;
    if (rec.error) {
      reject(rec.row, null, rec.error.code, rec.error.message);
      continue;
    }
    const v = validateEnterprise(rec.values, refs, today);
    const errors = v.ok ? [] : [...v.errors];
    const uscc = v.ok
      ? v.value.uscc
      : errors.some((e) => e.field === 'uscc')
        ? null
        : normalizeUscc(rec.values.uscc ?? '');
    if (uscc) {
      const first = firstRow.get(uscc);
      if (first === undefined) firstRow.set(uscc, rec.row);
      else
        errors.push({
          field: 'uscc',
          code: 'DUPLICATE_IN_FILE',
          message: {
            zh: `统一社会信用代码 ${uscc} 与第${first}行重复，本行未导入`,
            en: `USCC ${uscc} repeats line ${first}; this line was not imported`,
          },
        });
    }
    if (v.ok && scopeTown && v.value.townCode !== scopeTown) {
      errors.push({
        field: 'townCode',
        code: 'OUT_OF_SCOPE',
        message: {
          zh: `只能导入本镇街（${scopeTownName}）的企业`,
          en: `Only enterprises of ${scopeTownName} may be imported`,
        },
      });
    }
    if (errors.length || !v.ok) {
      for (const e of errors) reject(rec.row, e.field, e.code, e.message);
      continue;
    }
    batch.push({ row: rec.row, value: v.value });
    if (batch.length >= batchSize) await flush();
  }
  if (!failure) await flush();
  await Promise.all(inflight);
  if (failure) throw (failure as { error: unknown }).error;
  await progress();
  // a large import changes the table's shape enough for the planners to need new statistics
  if (!opts.dryRun && report.imported >= 10_000) await refreshStatistics(ctx.db);
  trim();
  report.rejectedOmitted = report.rejectedCount - report.rejected.length;
  report.rejectedByCode = Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1]));
  return report;
}

/** A one-line summary of a report, in Chinese and English. */
export function summarizeReport(r: ImportReport): { zh: string; en: string } {
  const rejectedRows = r.rejectedRows;
  const prefix = r.dryRun
    ? { zh: '试导入（未写入）：', en: 'Dry run (nothing written): ' }
    : { zh: '', en: '' };
  const verb = r.dryRun ? { i: '将新增', u: '将更新' } : { i: '新增', u: '更新' };
  return {
    zh: `${prefix.zh}共 ${r.total} 行，${verb.i} ${r.imported}，${verb.u} ${r.updated}，未变 ${r.unchanged}，拒绝 ${rejectedRows} 行`,
    en: `${prefix.en}${r.total} rows: ${r.imported} ${r.dryRun ? 'to import' : 'imported'}, ${r.updated} ${r.dryRun ? 'to update' : 'updated'}, ${r.unchanged} unchanged, ${rejectedRows} rejected`,
  };
}
