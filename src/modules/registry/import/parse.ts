// Reads an enterprise file — CSV (UTF-8 with or without BOM, GB18030 as Chinese Excel writes it,
// UTF-16 "Unicode text") or XLSX — into a stream of records `{ row, values }`, where `row` is the
// physical line (or worksheet row) on which the record starts and the header is line 1.
//
// The format is decided by content, never by the file name. The text is decoded as UTF-8 when it
// is valid UTF-8, else as GB18030; anything that is neither (or a damaged workbook) is refused
// with UNSUPPORTED_FILE before a single record is read.
//
// The CSV tokenizer is our own (RFC 4180 plus Excel's relaxations): csv-parse's `info.lines`
// counts a CRLF inside a quoted field as two lines, which puts the row numbers of every later
// record off by one — and those numbers are what the report tells people to fix.
import fs from 'node:fs';
import { AppError, isAppError, type Message } from '../../../core/errors.js';
import { type ColumnKey, type FileWarning, type ResolvedColumns, resolveColumns } from './columns.js';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits, limitError } from './limits.js';
import { readXlsxRows, serialToDate, WorkbookError } from './xlsx.js';

/** Where the bytes come from: a buffer, a file path, or a stream of chunks (read once). */
export type ImportSource = Buffer | Uint8Array | string | AsyncIterable<Uint8Array | string>;

export type RowError = { code: string; message: Message };

/** One data record. `values` holds the raw text of each recognised column (untrimmed). */
export type FileRecord = { row: number; values: Partial<Record<ColumnKey, string>>; error?: RowError };

export type ParsedFile = {
  format: 'csv' | 'xlsx';
  encoding: 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be' | null;
  headerRow: number;
  columns: ResolvedColumns;
  warnings: FileWarning[];
  /** Single use: iterate once. */
  records: AsyncGenerator<FileRecord>;
  bytesTotal: number | null;
  bytesRead: () => number;
};

export type RawRow = { row: number; cells: string[] } | { row: number; cells: null; error: RowError };

/**
 * What went wrong inside a library when a file is refused: for the server log, never for the
 * answer (an exception's text would tell a caller about our internals).
 */
const INTERNAL = new WeakMap<AppError, string>();
export const internalDetail = (e: AppError): string | undefined => INTERNAL.get(e);
export function withInternal(e: AppError, internal: string | undefined): AppError {
  if (internal) INTERNAL.set(e, internal);
  return e;
}

const unsupported = (zh: string, en: string, internal?: string) =>
  withInternal(new AppError('UNSUPPORTED_FILE', { message: { zh, en } }), internal);

const CHUNK = 1 << 20;

// --- bytes -----------------------------------------------------------------------------------

type ByteSource = {
  size: number;
  /** The file on disk, or the bytes in memory (the zip reader wants one or the other). */
  path?: string;
  buffer?: Buffer;
  /** A fresh pass over the bytes; counts what it reads into `progress.read`. */
  open: () => AsyncIterable<Uint8Array>;
  head: (n: number) => Promise<Uint8Array>;
  readAt: (offset: number, length: number) => Promise<Buffer>;
  /** All the bytes at once (for the rare workbook that must be read whole). */
  all: () => Promise<Buffer>;
  progress: { read: number };
};

async function byteSource(source: ImportSource): Promise<ByteSource> {
  const progress = { read: 0 };
  if (typeof source === 'string') {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(source);
    } catch {
      throw new AppError('NOT_FOUND', {
        message: { zh: `文件不存在：${source}`, en: `No such file: ${source}` },
      });
    }
    if (!stat.isFile()) throw unsupported(`不是文件：${source}`, `Not a file: ${source}`);
    const file = source;
    return {
      size: stat.size,
      path: file,
      progress,
      open: async function* () {
        progress.read = 0;
        const stream = fs.createReadStream(file, { highWaterMark: CHUNK });
        try {
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            progress.read += chunk.length;
            yield chunk;
          }
        } finally {
          stream.destroy();
        }
      },
      head: (n) => readFileAt(file, 0, n),
      readAt: (offset, length) => readFileAt(file, offset, length),
      all: () => fs.promises.readFile(file),
    };
  }
  let buf: Buffer;
  if (Buffer.isBuffer(source)) buf = source;
  else if (source instanceof Uint8Array)
    buf = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  else {
    // A stream can be read only once, and deciding the encoding needs the whole text: keep it.
    const parts: Buffer[] = [];
    for await (const chunk of source)
      parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
    buf = Buffer.concat(parts);
  }
  return {
    size: buf.length,
    buffer: buf,
    progress,
    open: async function* () {
      progress.read = 0;
      for (let i = 0; i < buf.length; i += CHUNK) {
        const chunk = buf.subarray(i, i + CHUNK);
        progress.read += chunk.length;
        yield chunk;
      }
    },
    head: async (n) => buf.subarray(0, n),
    readAt: async (offset, length) => buf.subarray(offset, offset + length),
    all: async () => buf,
  };
}

async function readFileAt(file: string, offset: number, length: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, length));
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

// --- text ------------------------------------------------------------------------------------

type TextEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

// C0 controls other than tab, LF, VT, FF and CR never appear in a spreadsheet's text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const BINARY = /[\x00-\x08\x0E-\x1F]/;

/** Decodes every byte with a fatal decoder; false when the bytes are not this encoding or look binary. */
async function decodesCleanly(src: ByteSource, encoding: TextEncoding): Promise<'ok' | 'invalid' | 'binary'> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  try {
    for await (const chunk of src.open()) {
      if (BINARY.test(decoder.decode(chunk, { stream: true }))) return 'binary';
    }
    if (BINARY.test(decoder.decode())) return 'binary';
    return 'ok';
  } catch (e) {
    if (e instanceof TypeError) return 'invalid';
    throw e;
  }
}

async function detectEncoding(src: ByteSource, head: Uint8Array): Promise<TextEncoding> {
  const candidates: TextEncoding[] =
    head[0] === 0xff && head[1] === 0xfe
      ? ['utf-16le']
      : head[0] === 0xfe && head[1] === 0xff
        ? ['utf-16be']
        : ['utf-8', 'gb18030'];
  for (const encoding of candidates) {
    const verdict = await decodesCleanly(src, encoding);
    if (verdict === 'ok') return encoding;
    if (verdict === 'binary') break;
  }
  throw unsupported(
    '无法读取文件：它既不是 Excel 工作簿（.xlsx），也不是 UTF-8 或 GB18030（GBK）编码的 CSV 文本',
    'Cannot read the file: it is neither an Excel workbook (.xlsx) nor CSV text in UTF-8 or GB18030 (GBK)',
  );
}

async function* decodeText(src: ByteSource, encoding: TextEncoding): AsyncGenerator<string> {
  // ignoreBOM keeps a BOM in the text, so exactly one is taken off here (a cell may begin with one)
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  let first = true;
  for await (const chunk of src.open()) {
    let text = decoder.decode(chunk, { stream: true });
    if (first && text.length) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield first ? tail.replace(/^\uFEFF/, '') : tail;
}

// --- CSV -------------------------------------------------------------------------------------

const QUOTE = 34;
const LF = 10;
const CR = 13;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_SEEN = 3;

/**
 * An incremental CSV tokenizer that knows on which physical line each record starts.
 * Line breaks are CRLF, LF or CR (each one line), inside quotes too. Excel's relaxations are
 * accepted: a quote inside an unquoted field is literal, text after a closing quote is kept.
 */
export class CsvTokenizer {
  private line = 1;
  private recordStart = 0;
  private cells: string[] = [];
  private field = '';
  private state = FIELD_START;
  private held = '';
  private readonly delim: number;
  private readonly limits: Pick<ImportLimits, 'maxColumns' | 'maxCellChars'>;

  constructor(
    delimiter = ',',
    limits: Pick<ImportLimits, 'maxColumns' | 'maxCellChars'> = DEFAULT_IMPORT_LIMITS,
  ) {
    this.delim = delimiter.charCodeAt(0);
    this.limits = limits;
  }

  /** Keeps a finished cell; an empty one past the column limit is dropped, a filled one refused. */
  private cell(text: string) {
    if (this.cells.length >= this.limits.maxColumns) {
      if (text.trim() === '') return;
      throw limitError('TOO_MANY_COLUMNS', this.limits as ImportLimits, { row: this.recordStart });
    }
    if (text.length > this.limits.maxCellChars)
      throw limitError('CELL_TOO_LONG', this.limits as ImportLimits, { row: this.recordStart });
    this.cells.push(text);
  }

  /** Feeds text; complete records are pushed to `out`. */
  push(chunk: string, out: RawRow[]): void {
    let text = this.held + chunk;
    this.held = '';
    // A CR at the end may be the first half of a CRLF: decide when the next chunk comes.
    if (text.charCodeAt(text.length - 1) === CR) {
      this.held = '\r';
      text = text.slice(0, -1);
    }
    this.scan(text, out);
  }

  /** Ends the input; a quoted field never closed becomes an error row. */
  end(out: RawRow[]): void {
    if (this.held) {
      const held = this.held;
      this.held = '';
      this.scan(held, out);
    }
    if (this.state === QUOTED) {
      out.push({
        row: this.recordStart,
        cells: null,
        error: {
          code: 'CSV_UNCLOSED_QUOTE',
          message: {
            zh: `第${this.recordStart}行起的引号没有闭合，此后的内容无法读取`,
            en: `The quote opened on line ${this.recordStart} is never closed; nothing after it can be read`,
          },
        },
      });
      this.state = FIELD_START;
      this.cells = [];
      this.field = '';
      this.recordStart = 0;
      return;
    }
    if (this.recordStart !== 0) {
      this.cell(this.field);
      this.field = '';
      this.finishRecord(out);
    }
  }

  private finishRecord(out: RawRow[]) {
    out.push({ row: this.recordStart, cells: this.cells });
    this.cells = [];
    this.recordStart = 0;
  }

  private scan(text: string, out: RawRow[]) {
    const n = text.length;
    const D = this.delim;
    let i = 0;
    let start = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case FIELD_START:
          if (this.recordStart === 0) this.recordStart = this.line;
          if (c === QUOTE) {
            this.state = QUOTED;
            i++;
            start = i;
          } else {
            this.state = UNQUOTED;
            start = i;
          }
          break;
        case UNQUOTED:
          if (c === D) {
            this.cell(this.field + text.slice(start, i));
            this.field = '';
            this.state = FIELD_START;
            i++;
          } else if (c === LF || c === CR) {
            this.cell(this.field + text.slice(start, i));
            this.field = '';
            this.finishRecord(out);
            this.state = FIELD_START;
            i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
            this.line++;
          } else i++;
          break;
        case QUOTED:
          if (c === QUOTE) {
            this.field += text.slice(start, i);
            this.state = QUOTE_SEEN;
            i++;
          } else {
            if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) this.line++;
            i++;
          }
          break;
        default: // QUOTE_SEEN
          if (c === QUOTE) {
            // "" inside quotes is one quote
            this.field += '"';
            this.state = QUOTED;
            i++;
            start = i;
          } else {
            // the closing quote: what follows up to the delimiter is kept as Excel does
            this.state = UNQUOTED;
            start = i;
          }
      }
    }
    if (this.state === UNQUOTED || this.state === QUOTED) {
      this.field += text.slice(start, n);
      // a field that never ends must not grow without bound
      if (this.field.length > this.limits.maxCellChars)
        throw limitError('CELL_TOO_LONG', this.limits as ImportLimits, { row: this.recordStart });
    }
  }
}

/**
 * The delimiter of a text file: a comma, or a tab when the first record has tabs and no comma
 * outside quotes (Excel's "Unicode text" is tab-separated UTF-16).
 */
export function detectDelimiter(text: string): string {
  let inQuotes = false;
  let commas = 0;
  let tabs = 0;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === '\n' || c === '\r') {
      if (started) break;
    } else if (c === ',') commas++;
    else if (c === '\t') tabs++;
    if (c !== '\n' && c !== '\r') started = true;
  }
  return commas === 0 && tabs > 0 ? '\t' : ',';
}

async function* csvRows(text: AsyncIterable<string>, limits: ImportLimits): AsyncGenerator<RawRow> {
  let tokenizer: CsvTokenizer | null = null;
  const out: RawRow[] = [];
  for await (const chunk of text) {
    tokenizer ??= new CsvTokenizer(detectDelimiter(chunk), limits);
    tokenizer.push(chunk, out);
    yield* out;
    out.length = 0;
  }
  tokenizer?.end(out);
  yield* out;
}

// --- XLSX ------------------------------------------------------------------------------------

/** The text a person sees in a cell, for the values exceljs returns. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    // Integers print in full (a USCC typed as a number stays digits, though Excel has already
    // rounded it past 15 digits); fractions as Excel shows them, to 15 significant digits.
    if (Number.isInteger(value))
      return Math.abs(value) < 1e21 ? String(value) : value.toLocaleString('en-US', { useGrouping: false });
    return String(Number(value.toPrecision(15)));
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText))
      return v.richText.map((r: { text?: unknown }) => cellText(r?.text)).join('');
    if ('result' in v) return cellText(v.result);
    if ('formula' in v || 'sharedFormula' in v) return '';
    if ('error' in v) return '';
    if ('text' in v) return cellText(v.text);
  }
  return '';
}

/** Excel's day number (1900 system, after its phantom 1900-02-29) → YYYY-MM-DD. */
export function excelSerialToDate(serial: number): string {
  return new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
}

const WORKBOOK_REFUSALS: Record<WorkbookError['kind'], Message> = {
  'not-zip': {
    zh: '无法读取 Excel 工作簿：文件已损坏或不是 .xlsx 格式',
    en: 'Cannot read the Excel workbook: the file is damaged or not .xlsx',
  },
  damaged: {
    zh: 'Excel 工作簿已损坏（压缩数据或内容校验失败），请用 Excel 重新保存后再导入',
    en: 'The Excel workbook is damaged (its compressed data or content fails a check); save it again in Excel',
  },
  encrypted: {
    zh: 'Excel 工作簿设有密码，请取消加密后再导入',
    en: 'The workbook is password-protected; remove the password and import again',
  },
  unsupported: {
    zh: '不支持此 Excel 工作簿的压缩格式，请用 Excel 另存为 .xlsx 后再导入',
    en: 'This workbook’s compression is not supported; save it again as .xlsx in Excel',
  },
  'no-sheet': { zh: 'Excel 文件中没有工作表', en: 'The workbook has no worksheet' },
};

async function* xlsxRows(src: ByteSource, limits: ImportLimits): AsyncGenerator<RawRow> {
  const rows = readXlsxRows((src.buffer ?? src.path)!, limits);
  try {
    for await (const r of rows) yield r;
  } catch (e) {
    if (e instanceof WorkbookError) {
      const m = WORKBOOK_REFUSALS[e.kind];
      throw unsupported(m.zh, m.en, e.internal);
    }
    throw e;
  }
  src.progress.read = src.size;
}

// --- records ---------------------------------------------------------------------------------

const isBlank = (cells: string[]) => cells.every((c) => c.trim() === '');

/** Export writes `'=…` so Excel does not run a formula; the import takes the apostrophe off. */
const FORMULA_GUARD = /^'+[=+\-@\t\r]/;
export const unguard = (s: string) => (FORMULA_GUARD.test(s) ? s.slice(1) : s);

/** How many leading non-blank rows may be a title above the header. */
const MAX_TITLE_ROWS = 5;

/**
 * Opens a file: reads up to the header, resolves the columns (refusing the file when a required
 * column is missing) and returns the records as a stream.
 */
export async function openEnterpriseFile(
  source: ImportSource,
  opts: { fileName?: string; limits?: ImportLimits } = {},
): Promise<ParsedFile> {
  const limits = opts.limits ?? DEFAULT_IMPORT_LIMITS;
  const src = await byteSource(source);
  const head = await src.head(8);
  if (head.length === 0) throw unsupported('文件为空', 'The file is empty');

  let format: ParsedFile['format'];
  let encoding: ParsedFile['encoding'] = null;
  let makeRows: () => AsyncGenerator<RawRow>;
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    format = 'xlsx';
    makeRows = () => xlsxRows(src, limits);
  } else if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw unsupported(
      '不支持旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 或 CSV 后再导入',
      'Old Excel (.xls) files are not supported: save as .xlsx or CSV in Excel and import that',
    );
  } else if (head[0] === 0x50 && head[1] === 0x4b) {
    throw unsupported(
      '文件看起来是压缩包，但不是有效的 Excel 工作簿（.xlsx）',
      'The file is an archive but not a valid Excel workbook (.xlsx)',
    );
  } else {
    format = 'csv';
    try {
      encoding = await detectEncoding(src, head);
    } catch (e) {
      if (isAppError(e) && /\.xlsx$/i.test(opts.fileName ?? '')) {
        throw unsupported(
          '文件扩展名是 .xlsx，但内容不是有效的 Excel 工作簿：请用 Excel 重新保存后再导入',
          'The file is named .xlsx but is not a valid Excel workbook: save it again in Excel',
        );
      }
      throw e;
    }
    const enc = encoding;
    makeRows = () => csvRows(decodeText(src, enc), limits);
  }

  const wrap = (e: unknown): AppError =>
    isAppError(e)
      ? e
      : format === 'xlsx'
        ? unsupported(
            '无法读取 Excel 工作簿：文件已损坏或不是 .xlsx 格式',
            'Cannot read the Excel workbook: the file is damaged or not .xlsx',
            String((e as Error)?.stack ?? e),
          )
        : unsupported('无法读取文件', 'Cannot read the file', String((e as Error)?.stack ?? e));

  // A first pass over the whole file checks every limit before a single record is handed on, so a
  // file past a limit is refused whole — nothing of it is written — and in bounded time and memory.
  try {
    let nonBlank = 0;
    for await (const r of makeRows()) {
      if (r.cells !== null && isBlank(r.cells)) continue;
      // the header is not a data row (a title row above it counts as one: stricter, never looser)
      if (++nonBlank > limits.maxRows + 1) throw limitError('TOO_MANY_ROWS', limits);
    }
  } catch (e) {
    throw wrap(e);
  }
  const rows = makeRows();

  // Find the header: the first non-blank row, or (when that lacks the required columns) a later
  // one among the first few, so a title row above the table does not refuse the file.
  const before: RawRow[] = [];
  let header: { row: number; cells: string[]; columns: ResolvedColumns } | null = null;
  let firstError: unknown = null;
  try {
    while (!header) {
      const next = await rows.next();
      if (next.done) break;
      const r = next.value;
      if (r.cells === null) throw unsupported(r.error.message.zh, r.error.message.en);
      if (isBlank(r.cells)) continue;
      try {
        header = { row: r.row, cells: r.cells, columns: resolveColumns(r.cells, r.row) };
      } catch (e) {
        firstError ??= e;
        before.push(r);
        if (before.length >= MAX_TITLE_ROWS) break;
      }
    }
  } catch (e) {
    await rows.return(undefined).catch(() => {});
    throw wrap(e);
  }
  if (!header) {
    await rows.return(undefined).catch(() => {});
    if (firstError) throw firstError;
    throw unsupported(
      '文件中没有内容（至少需要表头一行）',
      'The file has no content (a header row at least is needed)',
    );
  }

  const { columns } = header.columns;
  const warnings = [...header.columns.warnings];
  if (before.length) {
    warnings.push({
      row: before[0]!.row,
      column: null,
      code: 'SKIPPED_TITLE_ROWS',
      message: {
        zh: `表头在第${header.row}行，之前的${before.length}行（标题等）已跳过`,
        en: `The header is on line ${header.row}; the ${before.length} line(s) above it (title etc.) were skipped`,
      },
    });
  }
  const guard = format === 'csv';

  async function* records(): AsyncGenerator<FileRecord> {
    let last = header!.row;
    let data = 0;
    try {
      for (;;) {
        let next: IteratorResult<RawRow>;
        try {
          next = await rows.next();
        } catch (e) {
          const err = wrap(e);
          yield { row: last + 1, values: {}, error: { code: 'UNREADABLE', message: err.messages } };
          return;
        }
        if (next.done) return;
        const r = next.value;
        last = r.row;
        if (r.cells === null) {
          yield { row: r.row, values: {}, error: r.error };
          continue;
        }
        if (isBlank(r.cells)) continue;
        if (++data > limits.maxRows) throw limitError('TOO_MANY_ROWS', limits);
        const values: Partial<Record<ColumnKey, string>> = {};
        for (const col of columns) {
          const v = r.cells[col.index] ?? '';
          values[col.key] = guard ? unguard(v) : v;
        }
        // A date Excel did not recognise as one (custom format) arrives as its serial number.
        if (format === 'xlsx' && values.registeredOn && /^\d{5}$/.test(values.registeredOn)) {
          values.registeredOn = serialToDate(Number(values.registeredOn));
        }
        yield { row: r.row, values };
      }
    } finally {
      await rows.return(undefined).catch(() => {});
    }
  }

  return {
    format,
    encoding,
    headerRow: header.row,
    columns: header.columns,
    warnings,
    records: records(),
    bytesTotal: src.size,
    bytesRead: () => src.progress.read,
  };
}

/** Every non-blank row of a file as text cells, header included (for tests and previews). */
export async function readRawRows(
  source: ImportSource,
  limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
): Promise<RawRow[]> {
  const src = await byteSource(source);
  const head = await src.head(4);
  const rows =
    head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04
      ? xlsxRows(src, limits)
      : csvRows(decodeText(src, await detectEncoding(src, head)), limits);
  const out: RawRow[] = [];
  for await (const r of rows) if (r.cells === null || !isBlank(r.cells)) out.push(r);
  return out;
}
