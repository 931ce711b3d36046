// Reads the first worksheet of an .xlsx as rows of cell text, streaming, within limits that hold
// whatever the zip's layout.
//
// The zip is read through its central directory by yauzl (entries may be padded apart, carry data
// descriptors, or be written in any order); only the parts needed are inflated — workbook, its
// relationships, styles, shared strings, one sheet — each as a stream whose real bytes are counted
// against one budget (maxUncompressedBytes) and checked against the stated size and CRC-32, so an
// entry whose declared sizes lie is refused once it passes them. The XML is parsed by saxes (a SAX
// parser: nothing is built but the current row). Shared strings are kept, counted, and their
// repetitions count against the same budget; a run of text without markup longer than a cell may
// be is refused before the parser buffers it. A workbook never takes more than those limits allow,
// in memory or in time: exceljs's reader, which loaded whole workbooks, is no longer used here.

import zlib from 'node:zlib';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../../../core/errors.js';
import { type ImportLimits, limitError } from './limits.js';

export type XlsxRow = { row: number; cells: string[] };

/** An unreadable workbook; `internal` is for the server log only, never for the answer. */
export class WorkbookError extends Error {
  constructor(
    readonly kind: 'not-zip' | 'damaged' | 'encrypted' | 'unsupported' | 'no-sheet',
    readonly internal: string,
  ) {
    super(`${kind}: ${internal}`);
  }
}

const EXCEL_MAX_ROW = 1_048_576;
const MAX_ENTRIES = 10_000;

type Budget = { left: number; limits: ImportLimits };

// --- zip ---------------------------------------------------------------------------------------

function openZip(source: Buffer | string): Promise<ZipFile> {
  const opts = { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, autoClose: false };
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip?: ZipFile) =>
      err || !zip ? reject(new WorkbookError('not-zip', String(err?.message ?? err))) : resolve(zip);
    if (typeof source === 'string') yauzl.open(source, opts, done);
    else yauzl.fromBuffer(source, opts, done);
  });
}

function listEntries(zip: ZipFile): Promise<Map<string, Entry>> {
  return new Promise((resolve, reject) => {
    const map = new Map<string, Entry>();
    let count = 0;
    zip.on('entry', (e: Entry) => {
      if (++count > MAX_ENTRIES) {
        reject(new WorkbookError('damaged', `more than ${MAX_ENTRIES} entries`));
        return;
      }
      if (map.has(e.fileName)) {
        reject(new WorkbookError('damaged', `${e.fileName} appears twice`));
        return;
      }
      map.set(e.fileName, e);
      zip.readEntry();
    });
    zip.once('end', () => resolve(map));
    zip.once('error', (err: Error) => reject(new WorkbookError('damaged', err.message)));
    zip.readEntry();
  });
}

/** The text of one entry, chunk by chunk, counted against the budget and checked. */
async function* entryText(zip: ZipFile, e: Entry, budget: Budget): AsyncGenerator<string> {
  if (e.isEncrypted()) throw new WorkbookError('encrypted', e.fileName);
  if (e.compressionMethod !== 0 && e.compressionMethod !== 8)
    throw new WorkbookError('unsupported', `${e.fileName}: compression method ${e.compressionMethod}`);
  // an honest size past the budget is refused before inflating anything
  if (e.uncompressedSize > budget.left) throw limitError('UNCOMPRESSED_TOO_LARGE', budget.limits);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await zip.openReadStreamPromise(e);
  } catch (err) {
    throw new WorkbookError('damaged', `${e.fileName}: ${(err as Error).message}`);
  }
  const decoder = new TextDecoder('utf-8');
  let crc = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      budget.left -= chunk.length;
      if (budget.left < 0) throw limitError('UNCOMPRESSED_TOO_LARGE', budget.limits);
      crc = zlib.crc32(chunk, crc);
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
  } catch (err) {
    if (err instanceof AppError || err instanceof WorkbookError) throw err;
    throw new WorkbookError('damaged', `${e.fileName}: ${(err as Error).message}`);
  } finally {
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
  if (crc >>> 0 !== e.crc32 >>> 0) throw new WorkbookError('damaged', `${e.fileName}: CRC-32 mismatch`);
  const tail = decoder.decode();
  if (tail) yield tail;
}

/**
 * Feeds an entry to a SAX parser. A run of characters without markup longer than a cell may be
 * (with room for entities) is refused before the parser would buffer it.
 */
async function* parseEntry(
  zip: ZipFile,
  e: Entry,
  budget: Budget,
  parser: SaxesParser,
  drain?: () => Iterable<XlsxRow>,
): AsyncGenerator<XlsxRow> {
  const maxRun = budget.limits.maxCellChars * 10 + 4096;
  let run = 0;
  for await (const chunk of entryText(zip, e, budget)) {
    const first = chunk.indexOf('<');
    if (first < 0) run += chunk.length;
    else {
      if (run + first > maxRun) throw limitError('CELL_TOO_LONG', budget.limits);
      // runs inside this chunk are shorter than the chunk; the one at its end carries on
      run = chunk.length - chunk.lastIndexOf('<') - 1;
    }
    if (run > maxRun) throw limitError('CELL_TOO_LONG', budget.limits);
    try {
      parser.write(chunk);
    } catch (err) {
      if (err instanceof AppError || err instanceof WorkbookError) throw err;
      throw new WorkbookError('damaged', `${e.fileName}: ${(err as Error).message}`);
    }
    if (drain) yield* drain();
  }
  try {
    parser.close();
  } catch (err) {
    if (err instanceof AppError || err instanceof WorkbookError) throw err;
    throw new WorkbookError('damaged', `${e.fileName}: ${(err as Error).message}`);
  }
  if (drain) yield* drain();
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

function newParser(): SaxesParser {
  // no namespaces, no positions: the fastest mode; prefixes are taken off by `local`
  return new SaxesParser({ xmlns: false, position: false });
}

// --- workbook parts ----------------------------------------------------------------------------

/** Built-in number formats that show a date (ECMA-376 18.8.30, with the CJK ones). */
const DATE_FORMAT_IDS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54,
  55, 56, 57, 58,
]);

/** A custom number format shows a date when, outside quotes and brackets, it has y, m, d, h or s. */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '')
    .replace(/_.|\*./g, '');
  return /[ymdhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

async function drainXml(
  zip: ZipFile,
  e: Entry | undefined,
  budget: Budget,
  onTag: (tag: SaxesTagPlain) => void,
): Promise<void> {
  if (!e) return;
  const parser = newParser();
  parser.on('opentag', onTag);
  for await (const _ of parseEntry(zip, e, budget, parser)) {
    // no rows from these parts
  }
}

type Workbook = { sheet: Entry; date1904: boolean; dateStyles: Set<number> };

async function readWorkbook(zip: ZipFile, entries: Map<string, Entry>, budget: Budget): Promise<Workbook> {
  let date1904 = false;
  let firstSheetRel: string | null = null;
  await drainXml(zip, entries.get('xl/workbook.xml'), budget, (tag) => {
    const name = local(tag.name);
    if (name === 'workbookPr') date1904 = /^(1|true)$/.test(tag.attributes.date1904 ?? '');
    else if (name === 'sheet' && firstSheetRel === null) {
      const id = Object.entries(tag.attributes).find(([k]) => local(k) === 'id' && k !== 'sheetId');
      firstSheetRel = id ? id[1] : '';
    }
  });
  const targets = new Map<string, string>();
  await drainXml(zip, entries.get('xl/_rels/workbook.xml.rels'), budget, (tag) => {
    if (local(tag.name) === 'Relationship' && tag.attributes.Id && tag.attributes.Target)
      targets.set(tag.attributes.Id, tag.attributes.Target);
  });
  let sheet: Entry | undefined;
  const target = firstSheetRel ? targets.get(firstSheetRel) : undefined;
  if (target) {
    const p = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
    sheet = entries.get(p.replace(/\/[^/]+\/\.\.\//g, '/'));
  }
  if (!sheet) {
    // no workbook part (or it points nowhere): the lowest-numbered worksheet
    const names = [...entries.keys()]
      .map((k) => ({ k, m: /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(k) }))
      .filter((x) => x.m)
      .sort((a, b) => Number(a.m![1]) - Number(b.m![1]));
    sheet = names[0] ? entries.get(names[0].k) : undefined;
  }
  if (!sheet) throw new WorkbookError('no-sheet', 'no worksheet');

  // styles: which cell formats (xf index) show a date
  const custom = new Map<number, string>();
  const xfs: number[] = [];
  let inCellXfs = false;
  const stylesParser = newParser();
  stylesParser.on('opentag', (tag) => {
    const name = local(tag.name);
    if (name === 'numFmt') custom.set(Number(tag.attributes.numFmtId), tag.attributes.formatCode ?? '');
    else if (name === 'cellXfs') inCellXfs = !tag.isSelfClosing;
    else if (name === 'xf' && inCellXfs) xfs.push(Number(tag.attributes.numFmtId ?? 0));
  });
  stylesParser.on('closetag', (tag) => {
    if (local(tag.name) === 'cellXfs') inCellXfs = false;
  });
  const styles = entries.get('xl/styles.xml');
  if (styles)
    for await (const _ of parseEntry(zip, styles, budget, stylesParser)) {
      // no rows
    }
  const dateStyles = new Set<number>();
  xfs.forEach((fmt, i) => {
    const code = custom.get(fmt);
    if (code !== undefined ? isDateFormat(code) : DATE_FORMAT_IDS.has(fmt)) dateStyles.add(i);
  });
  return { sheet, date1904, dateStyles };
}

async function readSharedStrings(zip: ZipFile, e: Entry | undefined, budget: Budget): Promise<string[]> {
  const strings: string[] = [];
  if (!e) return strings;
  const { limits } = budget;
  // a workbook cannot use more distinct strings than it has cells to show them in
  const maxStrings = Math.max(100_000, limits.maxRows * 10);
  let current: string | null = null;
  let inT = false;
  let phonetic = 0;
  const parser = newParser();
  const onText = (t: string) => {
    if (current === null || !inT || phonetic) return;
    current += t;
    if (current.length > limits.maxCellChars) throw limitError('CELL_TOO_LONG', limits);
  };
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    if (name === 'si') current = '';
    else if (name === 't') inT = !tag.isSelfClosing;
    else if (name === 'rPh') phonetic++;
  });
  parser.on('closetag', (tag) => {
    const name = local(tag.name);
    if (name === 't') inT = false;
    else if (name === 'rPh') phonetic--;
    else if (name === 'si' && current !== null) {
      if (strings.length >= maxStrings) throw limitError('UNCOMPRESSED_TOO_LARGE', limits);
      strings.push(current);
      current = null;
    }
  });
  parser.on('text', onText);
  parser.on('cdata', onText);
  for await (const _ of parseEntry(zip, e, budget, parser)) {
    // no rows
  }
  return strings;
}

// --- the sheet ---------------------------------------------------------------------------------

/** "AB12" → 27 (zero-based column), or -1. */
function columnOf(ref: string): number {
  let col = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
    if (col > 16_384) return -1;
  }
  return i === 0 ? -1 : col - 1;
}

/** Excel's day number → YYYY-MM-DD (1900 system after its phantom 29 February, or 1904). */
export function serialToDate(serial: number, date1904 = false): string {
  const days = serial + (date1904 ? 1462 : 0);
  const ms = Date.UTC(1899, 11, 30) + days * 86_400_000;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 10);
}

/** The text a person sees for a number. */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value))
    return Math.abs(value) < 1e21 ? String(value) : value.toLocaleString('en-US', { useGrouping: false });
  return String(Number(value.toPrecision(15)));
}

/**
 * The rows of the first worksheet, in order, each with its sheet row number and its cells as text
 * (index = column, empty string for an empty cell). Throws WorkbookError when the workbook cannot
 * be read and IMPORT_LIMIT_EXCEEDED when it passes a limit.
 */
export async function* readXlsxRows(source: Buffer | string, limits: ImportLimits): AsyncGenerator<XlsxRow> {
  const zip = await openZip(source);
  try {
    const entries = await listEntries(zip);
    const budget: Budget = { left: limits.maxUncompressedBytes, limits };
    const wb = await readWorkbook(zip, entries, budget);
    const shared = await readSharedStrings(zip, entries.get('xl/sharedStrings.xml'), budget);

    const out: XlsxRow[] = [];
    let rowNum = 0;
    let cells: string[] | null = null;
    let col = -1;
    let nextCol = 0;
    let type = '';
    let style = 0;
    let value = '';
    let collecting = false; // inside <v>, or <t> of an inline string
    let inIs = false;
    let phonetic = 0;
    let hasValue = false;

    const onText = (t: string) => {
      if (!collecting || phonetic) return;
      value += t;
      if (value.length > limits.maxCellChars) throw limitError('CELL_TOO_LONG', limits, { row: rowNum });
    };
    const parser = newParser();
    parser.on('opentag', (tag) => {
      switch (local(tag.name)) {
        case 'row': {
          const r = tag.attributes.r;
          const n = r === undefined ? rowNum + 1 : Number(r);
          if (!Number.isInteger(n) || n < 1 || n > EXCEL_MAX_ROW)
            throw new WorkbookError('damaged', `row number ${r}`);
          rowNum = n;
          cells = [];
          nextCol = 0;
          break;
        }
        case 'c': {
          const r = tag.attributes.r;
          col = r === undefined ? nextCol : columnOf(r);
          if (col < 0) throw new WorkbookError('damaged', `cell reference ${r}`);
          type = tag.attributes.t ?? 'n';
          style = Number(tag.attributes.s ?? 0);
          value = '';
          hasValue = false;
          break;
        }
        case 'v':
          collecting = !tag.isSelfClosing;
          hasValue = true;
          break;
        case 'is':
          inIs = true;
          hasValue = true;
          break;
        case 't':
          if (inIs) collecting = !tag.isSelfClosing;
          break;
        case 'rPh':
          phonetic++;
          break;
      }
    });
    parser.on('closetag', (tag) => {
      switch (local(tag.name)) {
        case 'v':
        case 't':
          collecting = false;
          break;
        case 'is':
          inIs = false;
          break;
        case 'rPh':
          phonetic--;
          break;
        case 'c': {
          nextCol = col + 1;
          if (!hasValue || cells === null) break;
          let text: string;
          switch (type) {
            case 's': {
              const i = Number(value);
              text = Number.isInteger(i) && i >= 0 && i < shared.length ? shared[i]! : '';
              // the same shared string repeated counts each time: no amplification past the budget
              budget.left -= text.length;
              if (budget.left < 0) throw limitError('UNCOMPRESSED_TOO_LARGE', limits);
              break;
            }
            case 'inlineStr':
            case 'str':
              text = value;
              break;
            case 'b':
              text = value.trim() === '1' ? 'TRUE' : value.trim() === '' ? '' : 'FALSE';
              break;
            case 'e':
              text = '';
              break;
            case 'd':
              text = value.trim().slice(0, 10);
              break;
            default: {
              const v = value.trim();
              if (v === '') text = '';
              else {
                const num = Number(v);
                text =
                  wb.dateStyles.has(style) && Number.isFinite(num)
                    ? serialToDate(num, wb.date1904)
                    : numberText(num);
              }
            }
          }
          if (text === '') break;
          if (col >= limits.maxColumns) throw limitError('TOO_MANY_COLUMNS', limits, { row: rowNum });
          while (cells.length < col) cells.push('');
          cells[col] = text;
          break;
        }
        case 'row':
          if (cells) out.push({ row: rowNum, cells });
          cells = null;
          break;
      }
    });
    parser.on('text', onText);
    parser.on('cdata', onText);
    const drain = function* () {
      if (out.length === 0) return;
      const rows = out.splice(0, out.length);
      yield* rows;
    };
    yield* parseEntry(zip, wb.sheet, budget, parser, drain);
  } finally {
    zip.close();
  }
}
