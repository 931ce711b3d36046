// The limits an imported file must keep, whatever its layout: they bound the memory and the time
// one upload can take. The defaults come from the configuration (IMPORT_MAX_* in core/config.ts);
// a refusal names the limit in Chinese and English, as a person can act on it ("最多 200,000 行").
import { AppError, type Message } from '../../../core/errors.js';

export type ImportLimits = {
  /** Data rows (non-blank rows under the header). */
  maxRows: number;
  /** Columns that hold a value (an empty cell further right is ignored). */
  maxColumns: number;
  /** Characters in one cell (Excel's own limit is 32,767). */
  maxCellChars: number;
  /** Bytes a workbook may inflate to (its XML parts read, and the shared text they repeat). */
  maxUncompressedBytes: number;
  /** Rejections a report keeps in full; the rest are counted by code. */
  maxReportedRejections: number;
};

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxRows: 200_000,
  maxColumns: 200,
  maxCellChars: 32_767,
  maxUncompressedBytes: 200 * 1024 * 1024,
  maxReportedRejections: 1_000,
};

/** Builds the limits from the configuration's fields (any missing one keeps its default). */
export function importLimitsFrom(cfg: {
  importMaxRows?: number;
  importMaxColumns?: number;
  importMaxCellChars?: number;
  importMaxUncompressedMb?: number;
  importReportMaxRejections?: number;
}): ImportLimits {
  const d = DEFAULT_IMPORT_LIMITS;
  return {
    maxRows: cfg.importMaxRows ?? d.maxRows,
    maxColumns: cfg.importMaxColumns ?? d.maxColumns,
    maxCellChars: cfg.importMaxCellChars ?? d.maxCellChars,
    maxUncompressedBytes:
      cfg.importMaxUncompressedMb !== undefined
        ? cfg.importMaxUncompressedMb * 1024 * 1024
        : d.maxUncompressedBytes,
    maxReportedRejections: cfg.importReportMaxRejections ?? d.maxReportedRejections,
  };
}

export type LimitKind =
  | 'TOO_MANY_ROWS'
  | 'TOO_MANY_COLUMNS'
  | 'CELL_TOO_LONG'
  | 'UNCOMPRESSED_TOO_LARGE'
  | 'TOO_COMPLEX';

const n = (x: number) => x.toLocaleString('en-US');
const mb = (bytes: number) => n(Math.max(1, Math.round(bytes / 1024 / 1024)));

/** The refusal of a file that passes a limit: 413 IMPORT_LIMIT_EXCEEDED, field `file`. */
export function limitError(kind: LimitKind, limits: ImportLimits, where?: { row?: number }): AppError {
  const at = where?.row ? { zh: `（第${where.row}行）`, en: ` (line ${where.row})` } : { zh: '', en: '' };
  const messages: Record<LimitKind, Message> = {
    TOO_MANY_ROWS: {
      zh: `文件数据行过多：每个文件最多 ${n(limits.maxRows)} 行，请拆分后分批导入`,
      en: `Too many rows: at most ${n(limits.maxRows)} data rows per file; split the file`,
    },
    TOO_MANY_COLUMNS: {
      zh: `文件列数过多${at.zh}：最多 ${n(limits.maxColumns)} 列，请删除多余的列后再导入`,
      en: `Too many columns${at.en}: at most ${n(limits.maxColumns)}; delete the extra columns`,
    },
    CELL_TOO_LONG: {
      zh: `单元格内容过长${at.zh}：每个单元格最多 ${n(limits.maxCellChars)} 个字符`,
      en: `A cell is too long${at.en}: at most ${n(limits.maxCellChars)} characters per cell`,
    },
    UNCOMPRESSED_TOO_LARGE: {
      zh: `Excel 工作簿解压后的内容超过 ${mb(limits.maxUncompressedBytes)} MB，请拆分后导入`,
      en: `The workbook holds more than ${mb(limits.maxUncompressedBytes)} MB once uncompressed; split it`,
    },
    TOO_COMPLEX: {
      zh: '文件内容过于庞大，读取时超出内存限制，请拆分后导入',
      en: 'The file is too large to read within the memory limit; split it',
    },
  };
  const message = messages[kind];
  return new AppError('IMPORT_LIMIT_EXCEEDED', {
    message,
    fields: [{ field: 'file', code: kind, message }],
  });
}
