import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../../../core/errors.js';
import { CSV_BOM, csvLine } from './export.js';
import {
  CsvTokenizer,
  cellText,
  detectDelimiter,
  excelSerialToDate,
  type FileRecord,
  type ImportSource,
  openEnterpriseFile,
  type RawRow,
  readRawRows,
} from './parse.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function tokenize(chunks: string[]): RawRow[] {
  const t = new CsvTokenizer();
  const out: RawRow[] = [];
  for (const c of chunks) t.push(c, out);
  t.end(out);
  return out;
}

async function records(source: ImportSource, fileName?: string) {
  const f = await openEnterpriseFile(source, { fileName });
  const out: FileRecord[] = [];
  for await (const r of f.records) out.push(r);
  return { file: f, records: out };
}

async function codeOf(source: ImportSource, fileName?: string): Promise<string> {
  try {
    await records(source, fileName);
    return 'none';
  } catch (e) {
    return isAppError(e) ? e.code : `not an AppError: ${String(e)}`;
  }
}

async function xlsx(build: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb.addWorksheet('企业'), wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const HEADER = '统一社会信用代码,企业名称,所属镇街';

describe('CsvTokenizer', () => {
  it('splits records on CRLF, LF and CR, and numbers each by the line it starts on', () => {
    expect(tokenize(['a,b\r\nc,d\ne,f\rg,h'])).toEqual([
      { row: 1, cells: ['a', 'b'] },
      { row: 2, cells: ['c', 'd'] },
      { row: 3, cells: ['e', 'f'] },
      { row: 4, cells: ['g', 'h'] },
    ]);
  });

  it('keeps commas, quotes and line breaks inside quotes, and counts those lines', () => {
    expect(tokenize(['"a,1","say ""hi""","x\r\ny\nz"\r\nnext,"",\r\n'])).toEqual([
      { row: 1, cells: ['a,1', 'say "hi"', 'x\r\ny\nz'] },
      { row: 4, cells: ['next', '', ''] },
    ]);
  });

  it('accepts Excel’s relaxations: a stray quote in a bare field, text after a closing quote', () => {
    expect(tokenize(['5" screen,"abc"def,x\n'])).toEqual([{ row: 1, cells: ['5" screen', 'abcdef', 'x'] }]);
  });

  it('reports an unclosed quote at the line where the record starts', () => {
    expect(tokenize(['a,b\n"open,\nmore\n'])).toEqual([
      { row: 1, cells: ['a', 'b'] },
      { row: 2, cells: null, error: expect.objectContaining({ code: 'CSV_UNCLOSED_QUOTE' }) },
    ]);
  });

  it('gives the same records however the text is cut into chunks (property)', () => {
    const text = 'h1,h2\r\n"a\r\nb",c\r\n\r\n"q""",\rlast,"x"\n';
    const whole = tokenize([text]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(text.slice(prev, p));
          prev = p;
        }
        chunks.push(text.slice(prev));
        expect(tokenize(chunks)).toEqual(whole);
      }),
    );
  });

  it('detects a tab-separated file and otherwise assumes commas', () => {
    expect(detectDelimiter('a\tb\tc\r\n1,2\t3')).toBe('\t');
    expect(detectDelimiter('a,b\tc\n')).toBe(',');
    expect(detectDelimiter('"a\tb"\n')).toBe(',');
    expect(detectDelimiter('\r\n\r\na\tb')).toBe('\t');
  });
});

describe('openEnterpriseFile: CSV encodings', () => {
  const body = `${HEADER}\r\n91441900MA4UJ2TEX1,东莞市甲乙有限公司,长安镇\r\n`;
  const want = [
    { row: 2, values: { uscc: '91441900MA4UJ2TEX1', name: '东莞市甲乙有限公司', townCode: '长安镇' } },
  ];

  it('reads UTF-8 with a BOM', async () => {
    const { file, records: r } = await records(Buffer.from(`\uFEFF${body}`, 'utf8'));
    expect(file).toMatchObject({ format: 'csv', encoding: 'utf-8', headerRow: 1 });
    expect(r).toEqual(want);
  });

  it('reads UTF-8 without a BOM', async () => {
    expect((await records(Buffer.from(body, 'utf8'))).records).toEqual(want);
  });

  it('reads GB18030 as Chinese Excel saves it (fixture), including a 4-byte character', async () => {
    const { file, records: r } = await records(path.join(FIXTURES, 'enterprises-gb18030.csv'));
    expect(file).toMatchObject({ format: 'csv', encoding: 'gb18030' });
    expect(file.warnings).toEqual([]);
    expect(r.map((x) => x.row)).toEqual([2, 3, 4]);
    expect(r[0]!.values).toMatchObject({
      uscc: '91441900GB0000015N',
      name: '东莞市国标一号五金制品有限公司',
      registeredAddress: '广东省东莞市长安镇振安路1号,A栋',
      townCode: '长安镇',
      registeredOn: '2012/3/5',
      tags: '出口企业',
    });
    expect(r[2]!.values.name).toBe('东莞市𠀀三号（繁體測試）商行');
  });

  it('reads UTF-16 tab-separated text (Excel “Unicode text”)', async () => {
    const text = `\uFEFF${HEADER.replaceAll(',', '\t')}\r\n91441900MA4UJ2TEX1\t东莞市甲乙有限公司\t长安镇\r\n`;
    const { file, records: r } = await records(Buffer.from(text, 'utf16le'));
    expect(file.encoding).toBe('utf-16le');
    expect(r).toEqual(want);
  });

  it('skips blank lines but keeps physical line numbers; reads English headers', async () => {
    const text =
      '\r\nuscc,name,town,Remarks\r\n\r\n,,,\r\n91441900MA4UJ2TEX1,"A\r\nB",长安镇,x\r\n   \r\n91441900MA4UJ2TEX1,C,虎门镇,\r\n';
    const { file, records: r } = await records(Buffer.from(text));
    expect(file.headerRow).toBe(2);
    expect(file.warnings.map((w) => w.code)).toEqual(['UNKNOWN_COLUMNS']);
    expect(r.map((x) => [x.row, x.values.name])).toEqual([
      [5, 'A\r\nB'],
      [8, 'C'],
    ]);
  });

  it('skips a title row above the header', async () => {
    const text = `东莞市企业名录（2026年）,,\r\n${HEADER}\r\n91441900MA4UJ2TEX1,甲,长安镇\r\n`;
    const { file, records: r } = await records(Buffer.from(text));
    expect(file.headerRow).toBe(2);
    expect(file.warnings.map((w) => w.code)).toEqual(['SKIPPED_TITLE_ROWS']);
    expect(r.map((x) => x.row)).toEqual([3]);
  });

  it('takes off the apostrophe the export puts before formula-like text', async () => {
    const text = `${HEADER}\r\n91441900MA4UJ2TEX1,'=HYPERLINK(1),长安镇\r\n91441900MA4UJ2TEX1,''=x,长安镇\r\n`;
    const { records: r } = await records(Buffer.from(text));
    expect(r.map((x) => x.values.name)).toEqual(['=HYPERLINK(1)', "'=x"]);
  });

  it('reports an unclosed quote as a rejected row, not a crash', async () => {
    const text = `${HEADER}\r\n91441900MA4UJ2TEX1,甲,长安镇\r\n91441900MA4UJ2TEX1,"乙,长安镇\r\nmore\r\n`;
    const { records: r } = await records(Buffer.from(text));
    expect(r[1]).toMatchObject({ row: 3, error: { code: 'CSV_UNCLOSED_QUOTE' } });
  });

  it('reads a stream of chunks', async () => {
    const bytes = Buffer.from(`\uFEFF${body}`, 'utf8');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    expect((await records(chunks())).records).toEqual(want);
  });
});

describe('openEnterpriseFile: XLSX', () => {
  it('reads the first worksheet: rich text, dates, numbers, formulas, hyperlinks', async () => {
    const buf = await xlsx((ws, wb) => {
      ws.addRow(['统一社会信用代码', '企业名称', '所属镇街', '成立日期', '行业代码', '法定代表人']);
      ws.addRow([
        '91441900MA4UJ2TEX1',
        { richText: [{ text: '东莞市' }, { font: { bold: true }, text: '甲乙' }, { text: '有限公司' }] },
        { formula: '"长安"&"镇"', result: '长安镇' },
        new Date(Date.UTC(2015, 5, 30)),
        3911,
        { text: '张三', hyperlink: 'https://example.com' },
      ]);
      ws.getCell('D2').numFmt = 'yyyy-mm-dd';
      ws.addRow([]);
      ws.addRow([Number('914419001234567890'), '丙', '虎门', 42185, 'C39', null]);
      wb.addWorksheet('第二页').addRow(['ignored']);
    });
    const { file, records: r } = await records(buf);
    expect(file).toMatchObject({ format: 'xlsx', encoding: null, headerRow: 1 });
    expect(r).toEqual([
      {
        row: 2,
        values: {
          uscc: '91441900MA4UJ2TEX1',
          name: '东莞市甲乙有限公司',
          townCode: '长安镇',
          registeredOn: '2015-06-30',
          industryCode: '3911',
          legalRepresentative: '张三',
        },
      },
      {
        row: 4,
        values: {
          // Excel keeps 15 digits: the code is already damaged, and the validator will say so
          uscc: String(Number('914419001234567890')),
          name: '丙',
          townCode: '虎门',
          registeredOn: '2015-06-30', // a serial number in a date column
          industryCode: 'C39',
          legalRepresentative: '',
        },
      },
    ]);
  });

  it('reads a workbook written by the streaming writer (inline strings, no shared strings)', async () => {
    const chunks: Buffer[] = [];
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useSharedStrings: false,
      useStyles: true,
    });
    const ws = wb.addWorksheet('企业');
    ws.addRow(['uscc', 'name', 'town']).commit();
    ws.addRow(['91441900MA4UJ2TEX1', 'A "quoted", name', '长安镇']).commit();
    ws.commit();
    await wb.commit();
    const { records: r } = await records(Buffer.concat(chunks));
    expect(r).toEqual([
      { row: 2, values: { uscc: '91441900MA4UJ2TEX1', name: 'A "quoted", name', townCode: '长安镇' } },
    ]);
  });

  it('converts cell values to the text a person sees', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(0.1 + 0.2)).toBe('0.3');
    expect(cellText(39)).toBe('39');
    expect(cellText(true)).toBe('TRUE');
    expect(cellText({ error: '#N/A' })).toBe('');
    expect(cellText({ sharedFormula: 'A1', result: 7 })).toBe('7');
    expect(excelSerialToDate(42185)).toBe('2015-06-30');
    expect(excelSerialToDate(61)).toBe('1900-03-01');
  });
});

describe('openEnterpriseFile: unreadable input is UNSUPPORTED_FILE, never a crash', () => {
  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['a BOM alone', Buffer.from('\uFEFF')],
    ['blank lines only', Buffer.from('\r\n  \r\n,,\r\n')],
    ['random bytes', Buffer.from([0x00, 0x13, 0xff, 0xfe, 0x80, 0x81, 0x07, 0x00, 0xc3])],
    ['bytes that are neither UTF-8 nor GB18030', Buffer.from([0x61, 0x2c, 0xff, 0xff, 0x0a])],
    ['a .xlsx that is not a zip', Buffer.from('PK\x03\x04this is no zip at all')],
    ['an old .xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])],
    ['another zip', Buffer.from('PK\x05\x06\x00\x00\x00\x00')],
  ])('%s', async (_what, bytes) => {
    expect(await codeOf(bytes)).toBe('UNSUPPORTED_FILE');
  });

  it('a truncated workbook', async () => {
    const buf = await xlsx((ws) => {
      ws.addRow(['uscc', 'name', 'town']);
      for (let i = 0; i < 200; i++) ws.addRow([`9144190000000${i}`, `名称${i}`, '长安镇']);
    });
    expect(await codeOf(buf.subarray(0, Math.floor(buf.length * 0.6)))).toBe('UNSUPPORTED_FILE');
  });

  it('a binary file named .xlsx says so', async () => {
    try {
      await records(Buffer.from([0x01, 0x02, 0x03, 0xff]), 'report.xlsx');
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).messages.zh).toContain('.xlsx');
    }
  });

  it('a missing path is NOT_FOUND', async () => {
    expect(await codeOf('/nonexistent/dir/file.csv')).toBe('NOT_FOUND');
  });

  it('a file without the required columns is refused with VALIDATION_FAILED', async () => {
    expect(await codeOf(Buffer.from('名称,地址\r\n甲,乙\r\n'))).toBe('VALIDATION_FAILED');
  });

  it('throws nothing but AppError on arbitrary bytes (property)', async () => {
    const prefixes = [[], [0x50, 0x4b, 0x03, 0x04], [0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...prefixes),
        fc.uint8Array({ maxLength: 400 }),
        async (prefix, body) => {
          const code = await codeOf(Buffer.from([...prefix, ...body]));
          expect(code).toMatch(/^(none|UNSUPPORTED_FILE|VALIDATION_FAILED)$/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('throws nothing but AppError on a damaged workbook (property)', async () => {
    const good = await xlsx((ws) => {
      ws.addRow(['统一社会信用代码', '企业名称', '所属镇街']);
      ws.addRow(['91441900MA4UJ2TEX1', '东莞市甲乙有限公司', '长安镇']);
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        async (edits) => {
          const bad = Buffer.from(good);
          for (const [at, byte] of edits) bad[at] = byte;
          const code = await codeOf(bad);
          expect(code).toMatch(/^(none|UNSUPPORTED_FILE|VALIDATION_FAILED)$/);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** The offsets of a zip's central-directory entries (for tests that patch a workbook). */
function centralEntries(buf: Buffer) {
  let eocd = buf.length - 22;
  while (buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: { name: string; cd: number; local: number; flags: number; csize: number }[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      name: buf.subarray(p + 46, p + 46 + buf.readUInt16LE(p + 28)).toString('utf8'),
      cd: p,
      local: buf.readUInt32LE(p + 42),
      flags: buf.readUInt16LE(p + 8),
      csize: buf.readUInt32LE(p + 20),
    });
    p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return out;
}

describe('workbook checks before reading', () => {
  const book = () =>
    xlsx((ws) => {
      ws.addRow(['统一社会信用代码', '企业名称', '所属镇街']);
      for (let i = 0; i < 50; i++) ws.addRow(['91441900MA4UJ2TEX1', `东莞市甲乙${i}有限公司`, '长安镇']);
    });

  it('refuses damaged compressed data at once (the streaming reader would wait forever)', async () => {
    const buf = await book();
    const sheet = centralEntries(buf).find((e) => e.name === 'xl/worksheets/sheet1.xml')!;
    const at = sheet.local + 30 + 40 + Math.floor(sheet.csize / 2);
    buf[at] = buf[at]! ^ 0xff;
    const started = Date.now();
    expect(await codeOf(buf)).toBe('UNSUPPORTED_FILE');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a zip bomb by its stated size', async () => {
    const buf = await book();
    const e = centralEntries(buf).find((x) => x.name === 'xl/worksheets/sheet1.xml')!;
    buf.writeUInt32LE(0x30000000, e.cd + 24);
    expect(await codeOf(buf)).toBe('IMPORT_LIMIT_EXCEEDED');
    try {
      await records(buf);
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).messages.zh).toContain('解压后的内容超过 200 MB');
    }
  });

  it('reads a valid workbook the streaming reader cannot follow through its central directory', async () => {
    // the streaming writer (archiver) uses data descriptors
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useSharedStrings: true,
      useStyles: true,
    });
    const ws = wb.addWorksheet('企业');
    ws.addRow(['统一社会信用代码', '企业名称', '所属镇街']).commit();
    for (let i = 0; i < 50; i++)
      ws.addRow(['91441900MA4UJ2TEX1', `东莞市甲乙${i}有限公司`, '长安镇']).commit();
    ws.commit();
    await wb.commit();
    const buf = Buffer.concat(chunks);
    const want = (await records(Buffer.from(buf))).records;
    // sizes in a local header that also has a data descriptor: valid, but not for unzipper
    const e = centralEntries(buf).find((x) => x.flags & 0x8)!;
    buf.writeUInt32LE(e.csize, e.local + 18);
    const got = await records(buf);
    expect(got.records).toEqual(want);
    expect(got.records).toHaveLength(50);
  });
});

describe('CSV round trip (property): the export writer, read back by the import', () => {
  const fragment = fc.oneof(
    fc.constantFrom(
      ',',
      '"',
      '""',
      '\r\n',
      '\n',
      '\r',
      ' ',
      '\t',
      '中文',
      '😀',
      "'",
      '=',
      '企业',
      '\uFEFF',
      '，',
      '（',
    ),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
  );
  const cell = fc.array(fragment, { maxLength: 5 }).map((parts) => parts.join(''));
  const table = fc
    .integer({ min: 1, max: 5 })
    .chain((cols) =>
      fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 15 }),
    );

  const breaks = (s: string) => (s.match(/\r\n|\r|\n/g) ?? []).length;

  it('yields the same cells on the lines where each record starts', async () => {
    await fc.assert(
      fc.asyncProperty(table, async (rows) => {
        const text = CSV_BOM + rows.map((r) => csvLine(r)).join('');
        const expected: RawRow[] = [];
        let line = 1;
        for (const r of rows) {
          if (!r.every((c) => c.trim() === '')) expected.push({ row: line, cells: r });
          line += 1 + r.reduce((n, c) => n + breaks(c), 0);
        }
        expect(await readRawRows(Buffer.from(text, 'utf8'))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fixtures', () => {
  it('the GB18030 fixture is not valid UTF-8 (so the fallback is what is tested)', () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, 'enterprises-gb18030.csv'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
  });
});
