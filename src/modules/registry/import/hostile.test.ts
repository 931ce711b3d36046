// Hostile uploads: files built here, in the test, to take memory or time — zip bombs however their
// entries are laid out, lying sizes, data descriptors, huge shared strings, millions of empty rows,
// 16,384 columns, one giant cell, millions of junk CSV lines. Each must be refused with a stable
// problem code and a Chinese message, in bounded time and memory, while the server keeps answering.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../../cli/import-export.js';
import { type AppError, isAppError } from '../../../core/errors.js';
import { addUser, PASSWORD } from '../../../platform/auth/test-helpers.js';
import type { Runtime } from '../../../platform/bootstrap.js';
import { systemActor } from '../../../platform/context.js';
import { buildApp } from '../../../server/app.js';
import { DIALECTS, testContext } from '../../../testing/db.js';
import { importEnterprises } from './import.js';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from './limits.js';
import { type FileRecord, openEnterpriseFile } from './parse.js';

// --- a zip writer that can lie --------------------------------------------------------------------

type ZipEntry = { name: string; data: Buffer; pad?: number; statedSize?: number; descriptor?: boolean };

function zip(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    if (e.pad) {
      parts.push(Buffer.alloc(e.pad, 0x20));
      offset += e.pad;
    }
    const name = Buffer.from(e.name, 'utf8');
    const comp = zlib.deflateRawSync(e.data, { level: 9 });
    const crc = zlib.crc32(e.data);
    const usize = e.statedSize ?? e.data.length;
    const flags = e.descriptor ? 0x8 : 0;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags | 0x800, 6);
    lh.writeUInt16LE(8, 8);
    lh.writeUInt32LE(e.descriptor ? 0 : crc, 14);
    lh.writeUInt32LE(e.descriptor ? 0 : comp.length, 18);
    lh.writeUInt32LE(e.descriptor ? 0 : usize, 22);
    lh.writeUInt16LE(name.length, 26);
    parts.push(lh, name, comp);
    const local = offset;
    offset += 30 + name.length + comp.length;
    if (e.descriptor) {
      const d = Buffer.alloc(16);
      d.writeUInt32LE(0x08074b50, 0);
      d.writeUInt32LE(crc, 4);
      d.writeUInt32LE(comp.length, 8);
      d.writeUInt32LE(usize, 12);
      parts.push(d);
      offset += 16;
    }
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags | 0x800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(comp.length, 20);
    cd.writeUInt32LE(usize, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(local, 42);
    central.push(cd, name);
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, end]);
}

const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
const HEADER_ROW = `<row r="1">${inline('A1', '统一社会信用代码')}${inline('B1', '企业名称')}${inline('C1', '所属镇街')}</row>`;
const DATA_ROW = (r: number) =>
  `<row r="${r}">${inline(`A${r}`, '91441900MA4UJ2TEX1')}${inline(`B${r}`, `东莞市甲乙${r}有限公司`)}${inline(`C${r}`, '长安镇')}</row>`;

/** A workbook of one sheet, whose body is given as chunks (repeated cheaply). */
function workbook(
  sheetBody: string | Buffer,
  opts: { shared?: string | Buffer; pad?: number; descriptor?: boolean; sheetStatedSize?: number } = {},
): Buffer {
  const sheet = Buffer.isBuffer(sheetBody)
    ? sheetBody
    : Buffer.from(`${HEAD}<worksheet ${NS}><sheetData>${sheetBody}</sheetData></worksheet>`);
  const entries: ZipEntry[] = [
    {
      name: '[Content_Types].xml',
      data: Buffer.from(
        `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: Buffer.from(
        `${HEAD}<workbook ${NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="企业" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
      pad: opts.pad,
      descriptor: opts.descriptor,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: Buffer.from(
        `${HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      ),
      pad: opts.pad,
      descriptor: opts.descriptor,
    },
  ];
  if (opts.shared !== undefined)
    entries.push({
      name: 'xl/sharedStrings.xml',
      data: Buffer.isBuffer(opts.shared) ? opts.shared : Buffer.from(opts.shared),
      pad: opts.pad,
      descriptor: opts.descriptor,
    });
  entries.push({
    name: 'xl/worksheets/sheet1.xml',
    data: sheet,
    pad: opts.pad,
    descriptor: opts.descriptor,
    statedSize: opts.sheetStatedSize,
  });
  return zip(entries);
}

/** `count` copies of `unit`, built as one buffer without a string of that size. */
const repeat = (unit: string, count: number) => Buffer.alloc(Buffer.byteLength(unit) * count, unit);

/** A sheet whose body is `head`, `count` × `unit`, then `tail` — megabytes that zip to kilobytes. */
function sheetOf(head: string, unit: string, count: number, tail = ''): Buffer {
  return Buffer.concat([
    Buffer.from(`${HEAD}<worksheet ${NS}><sheetData>${head}`),
    repeat(unit, count),
    Buffer.from(`${tail}</sheetData></worksheet>`),
  ]);
}

const SMALL: ImportLimits = {
  ...DEFAULT_IMPORT_LIMITS,
  maxRows: 1_000,
  maxColumns: 50,
  maxCellChars: 1_000,
  maxUncompressedBytes: 8 * 1024 * 1024,
  maxReportedRejections: 10,
};

async function refusal(source: Buffer, limits: ImportLimits = SMALL): Promise<AppError | 'none'> {
  try {
    const f = await openEnterpriseFile(source, { limits });
    const out: FileRecord[] = [];
    for await (const r of f.records) out.push(r);
    return 'none';
  } catch (e) {
    if (!isAppError(e)) throw e;
    return e;
  }
}

const expectLimit = (e: AppError | 'none', kind: string) => {
  expect(e).not.toBe('none');
  const err = e as AppError;
  expect(err.code).toBe('IMPORT_LIMIT_EXCEEDED');
  expect(err.status).toBe(413);
  expect(err.fields[0]).toMatchObject({ field: 'file', code: kind });
  expect(err.messages.zh).toMatch(/[\u4e00-\u9fff]/);
};

describe('hostile workbooks are refused within the limits, whatever their layout', () => {
  // ~64 MB of XML that zips to ~64 KB: past the 8 MB budget
  const bombBody = () => sheetOf(HEADER_ROW, '<row r="2"><c r="A2"><v>1</v></c></row>', 2_000_000);

  it('a zip bomb with contiguous entries', async () => {
    const e = await refusal(workbook(bombBody()));
    expectLimit(e, 'UNCOMPRESSED_TOO_LARGE');
    expect((e as AppError).messages.zh).toContain('解压后的内容超过 8 MB');
  });

  it('the same bomb with padding between the entries, and with data descriptors', async () => {
    expectLimit(await refusal(workbook(bombBody(), { pad: 7 })), 'UNCOMPRESSED_TOO_LARGE');
    expectLimit(await refusal(workbook(bombBody(), { pad: 3, descriptor: true })), 'UNCOMPRESSED_TOO_LARGE');
  });

  it('entries whose stated sizes lie are stopped at the stated size', async () => {
    const started = Date.now();
    const e = await refusal(workbook(bombBody(), { sheetStatedSize: 1000 }));
    expect(e).not.toBe('none');
    expect((e as AppError).code).toBe('UNSUPPORTED_FILE');
    expect((e as AppError).messages.zh).toContain('已损坏');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a valid workbook with padding and data descriptors still reads', async () => {
    const body = `${HEADER_ROW}${DATA_ROW(2)}${DATA_ROW(3)}`;
    for (const opts of [{ pad: 5 }, { descriptor: true }, { pad: 2, descriptor: true }]) {
      const f = await openEnterpriseFile(workbook(body, opts), { limits: SMALL });
      const rows: FileRecord[] = [];
      for await (const r of f.records) rows.push(r);
      expect(rows.map((r) => r.values.name)).toEqual(['东莞市甲乙2有限公司', '东莞市甲乙3有限公司']);
    }
  });

  it('huge shared strings', async () => {
    const shared = Buffer.concat([
      Buffer.from(`${HEAD}<sst ${NS}>`),
      repeat('<si><t>东莞市甲乙有限公司</t></si>', 400_000),
      Buffer.from('</sst>'),
    ]);
    expectLimit(await refusal(workbook(HEADER_ROW, { shared })), 'UNCOMPRESSED_TOO_LARGE');
  });

  it('one shared string repeated in every cell counts each time (no amplification)', async () => {
    const big = '甲'.repeat(900);
    const shared = `${HEAD}<sst ${NS}><si><t>${big}</t></si></sst>`;
    // 900 rows × 12 cells × 900 characters ≈ 9.7 M characters, from a sheet of a few kilobytes
    const body = sheetOf(HEADER_ROW, `<row r="2">${'<c r="B2" t="s"><v>0</v></c>'.repeat(12)}</row>`, 900);
    expectLimit(await refusal(workbook(body, { shared })), 'UNCOMPRESSED_TOO_LARGE');
  });

  it('millions of empty rows cost bounded time; too many data rows are refused', async () => {
    let body = HEADER_ROW;
    const rows: string[] = [];
    for (let r = 2; r <= 1_048_576; r += 1) rows.push(`<row r="${r}"/>`);
    body += rows.join('');
    const started = Date.now();
    const big = { ...SMALL, maxUncompressedBytes: 64 * 1024 * 1024 };
    const e = await refusal(workbook(body), big);
    expect(e).toBe('none'); // a header and nothing else: read, in seconds
    expect(Date.now() - started).toBeLessThan(20_000);
    const many = sheetOf(HEADER_ROW, DATA_ROW(2), SMALL.maxRows + 1);
    const tooMany = await refusal(workbook(many));
    expectLimit(tooMany, 'TOO_MANY_ROWS');
    expect((tooMany as AppError).messages.zh).toContain('最多 1,000 行');
  });

  it('a row of 16,384 columns', async () => {
    const cols: string[] = [];
    for (let c = 0; c < 16_384; c++) {
      let n = c + 1;
      let ref = '';
      while (n > 0) {
        ref = String.fromCharCode(65 + ((n - 1) % 26)) + ref;
        n = Math.floor((n - 1) / 26);
      }
      cols.push(`<c r="${ref}2"><v>${c}</v></c>`);
    }
    const e = await refusal(workbook(`${HEADER_ROW}<row r="2">${cols.join('')}</row>`));
    expectLimit(e, 'TOO_MANY_COLUMNS');
    expect((e as AppError).messages.zh).toContain('最多 50 列');
  });

  it('one giant cell, inline or in a run of text without markup', async () => {
    const e = await refusal(workbook(`${HEADER_ROW}<row r="2">${inline('B2', 'x'.repeat(5_000))}</row>`));
    expectLimit(e, 'CELL_TOO_LONG');
    expect((e as AppError).messages.zh).toContain('最多 1,000 个字符');
    const run = sheetOf(
      `${HEADER_ROW}<row r="2"><c r="B2" t="inlineStr"><is><t>`,
      'y',
      4_000_000,
      '</t></is></c></row>',
    );
    expectLimit(await refusal(workbook(run)), 'CELL_TOO_LONG');
  });
});

describe('hostile CSV', () => {
  it('millions of junk lines stop at the row limit', async () => {
    const junk = Buffer.concat([Buffer.from('uscc,name,town\n'), repeat('X,\n', 2_000_000)]);
    const started = Date.now();
    const e = await refusal(junk);
    expectLimit(e, 'TOO_MANY_ROWS');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a giant cell and too many columns', async () => {
    expectLimit(await refusal(Buffer.from(`uscc,name,town\n1,"${'z'.repeat(5000)}",3\n`)), 'CELL_TOO_LONG');
    expectLimit(await refusal(Buffer.from(`uscc,name,town\n${'a,'.repeat(100)}\n`)), 'TOO_MANY_COLUMNS');
    // empty cells past the limit are dropped, not refused
    expect(await refusal(Buffer.from(`uscc,name,town\n1,2,3${','.repeat(500)}\n`))).toBe('none');
  });
});

for (const dialect of DIALECTS) {
  describe(`hostile uploads over HTTP [${dialect}]`, () => {
    let rt: Runtime;
    let app: FastifyInstance;
    let session: { cookie: string; csrf: string };
    let dir: string;

    beforeAll(async () => {
      rt = await testContext(dialect);
      await addUser(rt, 'town', 'townOfficer', { townCode: '441900119' });
      app = await buildApp({
        ...rt,
        config: {
          ...rt.config,
          importMaxUncompressedMb: 40,
          importMaxRows: 1_000,
          importReportMaxRejections: 10,
        },
      });
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'town', password: PASSWORD },
      });
      session = { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.json().csrfToken };
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-hostile-'));
    });
    afterAll(async () => {
      await app?.close();
      await rt?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const upload = (file: Buffer, name: string, query = '') => {
      const boundary = '----hostile';
      const payload = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return app.inject({
        method: 'POST',
        url: `/api/v1/imports/enterprises${query}`,
        payload,
        headers: {
          cookie: session.cookie,
          'x-csrf-token': session.csrf,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
      });
    };

    it('a padded zip bomb from a town officer: 413 with a Chinese message, /api/health answering in < 1 s throughout, memory bounded', async () => {
      // ~300 MB of XML, past the 40 MB budget; padding between the entries as in the review
      const bomb = workbook(sheetOf(HEADER_ROW, '<row r="2"><c r="A2"><v>1</v></c></row>', 9_000_000), {
        pad: 4,
      });
      expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      let finished = false;
      const pending = upload(bomb, 'bomb.xlsx').finally(() => {
        finished = true;
      });
      const latencies: number[] = [];
      while (!finished) {
        const t = performance.now();
        const health = await app.inject({ method: 'GET', url: '/api/health' });
        latencies.push(performance.now() - t);
        expect(health.statusCode).toBeLessThan(500);
        peak = Math.max(peak, process.memoryUsage().rss);
        await new Promise((r) => setTimeout(r, 20));
      }
      const res = await pending;
      expect(res.statusCode).toBe(413);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({
        code: 'IMPORT_LIMIT_EXCEEDED',
        fields: [{ field: 'file', code: 'UNCOMPRESSED_TOO_LARGE' }],
      });
      expect(res.json().message.zh).toContain('解压后的内容超过 40 MB');
      expect(latencies.length).toBeGreaterThan(0);
      expect(Math.max(...latencies)).toBeLessThan(1_000);
      expect(peak - rss0).toBeLessThan(600 * 1024 * 1024);
    }, 60_000);

    it('a damaged workbook answers a stable code, never the library’s exception text', async () => {
      const good = workbook(`${HEADER_ROW}${DATA_ROW(2)}`);
      const bad = Buffer.from(good);
      const at = bad.indexOf(Buffer.from('xl/worksheets/sheet1.xml')) + 30;
      for (let i = 0; i < 8; i++) bad[at + i] = bad[at + i]! ^ 0x5a;
      const res = await upload(bad, 'bad.xlsx');
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body.code).toBe('UNSUPPORTED_FILE');
      expect(body.message.zh).toMatch(/Excel/);
      expect(JSON.stringify(body)).not.toMatch(/invalid|stack|at \w+ \(|zlib|inflate|signature|CRC/i);
    });

    it('a CSV of junk lines: the report keeps the first 10 rejections in full and counts the rest, over HTTP and in the CLI --report file', async () => {
      const junk = Buffer.concat([Buffer.from('uscc,name,town\n'), repeat('X,\n', 500)]);
      const res = await upload(junk, 'junk.csv', '?dryRun=true');
      expect(res.statusCode).toBe(200);
      const report = res.json();
      expect(report.total).toBe(500);
      expect(report.rejected).toHaveLength(10);
      expect(report.rejected[0]).toMatchObject({ row: 2 });
      expect(report.rejected[9].row).toBeLessThanOrEqual(11);
      expect(report.rejectedRows).toBe(500);
      expect(report.rejectedOmitted).toBe(report.rejectedCount - 10);
      expect(Object.values(report.rejectedByCode as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
        report.rejectedCount,
      );
      expect(res.payload.length).toBeLessThan(20_000);

      const file = path.join(dir, 'junk.csv');
      fs.writeFileSync(file, junk);
      const out = path.join(dir, 'report.json');
      const log = console.log;
      const printed: string[] = [];
      console.log = (...a: unknown[]) => void printed.push(a.join(' '));
      try {
        await runImport(
          { ...rt, config: { ...rt.config, importReportMaxRejections: 10 } },
          {
            file,
            report: out,
            dryRun: true,
          },
        );
      } finally {
        console.log = log;
      }
      const saved = JSON.parse(fs.readFileSync(out, 'utf8'));
      expect(saved.rejected).toHaveLength(10);
      expect(saved.rejectedRows).toBe(500);
      expect(saved.rejectedByCode).toEqual(report.rejectedByCode);
      expect(printed.join('\n')).toContain('按原因统计');
    });

    it('a dry run and the real import agree on values named like Object.prototype members', async () => {
      const csv = Buffer.from(
        'uscc,name,town,status,scale,tags\n' +
          '91441900MA4UJ2TEX1,东莞市甲乙有限公司,长安镇,constructor,__proto__,toString\n',
      );
      const dry = await importEnterprises({ ctx: rt, actor: systemActor('test'), source: csv, dryRun: true });
      const real = await importEnterprises({ ctx: rt, actor: systemActor('test'), source: csv });
      expect(dry.imported).toBe(0);
      expect(real.imported).toBe(0);
      expect(dry.rejectedByCode).toEqual(real.rejectedByCode);
      expect(Object.keys(real.rejectedByCode).length).toBeGreaterThan(0);
    });
  });
}
