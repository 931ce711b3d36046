import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runExport, runImport } from '../../../cli/import-export.js';
import { offsetClock } from '../../../core/clock.js';
import { isAppError } from '../../../core/errors.js';
import type { Runtime } from '../../../platform/bootstrap.js';
import { systemActor } from '../../../platform/context.js';
import { DIALECTS, testContext } from '../../../testing/db.js';
import { buildEnterprise } from '../../../testing/factories.js';
import type { EnterpriseInput } from '../enterprise-input.js';
import { upsertEnterprises } from '../enterprises.js';
import { validateUscc } from '../uscc.js';
import {
  CSV_BOM,
  csvLine,
  exportEnterprisesCsv,
  exportEnterprisesXlsx,
  templateCsv,
  templateXlsx,
} from './export.js';
import { type ImportReport, importEnterprises, summarizeReport } from './import.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const CHANGAN = '441900119';
const HUMEN = '441900121';
const actor = systemActor('test');

const ZH = [
  '统一社会信用代码',
  '企业名称',
  '法定代表人',
  '注册地址',
  '所属镇街',
  '行业代码',
  '成立日期',
  '状态',
  '企业规模',
  '企业标签',
  '产品类别',
];
const EN = [
  'uscc',
  'name',
  'legal_representative',
  'registered_address',
  'town',
  'industry',
  'registered_on',
  'status',
  'scale',
  'tags',
  'product_categories',
];

const csv = (header: string[], rows: string[][]) =>
  Buffer.from(CSV_BOM + [header, ...rows].map((r) => csvLine(r)).join(''), 'utf8');

function row(e: EnterpriseInput, over: Partial<Record<(typeof EN)[number], string>> = {}): string[] {
  const base: Record<string, string> = {
    uscc: e.uscc,
    name: e.name,
    legal_representative: e.legalRepresentative ?? '',
    registered_address: e.registeredAddress ?? '',
    town: e.townCode,
    industry: e.industryCode ?? '',
    registered_on: e.registeredOn ?? '',
    status: e.status,
    scale: e.scale ?? '',
    tags: e.tags.join(';'),
    product_categories: (e.productCategories ?? []).join('、'),
    ...over,
  };
  return EN.map((k) => base[k]!);
}

async function collect(run: (out: PassThrough) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await run(out);
  return Buffer.concat(chunks);
}

for (const dialect of DIALECTS) {
  describe(`enterprise import [${dialect}]`, () => {
    let rt: Runtime;
    const clock = offsetClock('2026-11-26T02:00:00.000Z');
    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
    });
    afterAll(async () => rt?.close());
    beforeEach(async () => {
      await rt.db.deleteFrom('event_deliveries').execute();
      await rt.db.deleteFrom('outbox_events').execute();
      await rt.db.deleteFrom('audit_log').execute();
      await rt.db.deleteFrom('enterprise_tags').execute();
      await rt.db.deleteFrom('enterprise_contacts').execute();
      await rt.db.deleteFrom('enterprise_profiles').execute();
      await rt.db.deleteFrom('enterprises').execute();
    });

    const imp = (
      source: Parameters<typeof importEnterprises>[0]['source'],
      over: Partial<Parameters<typeof importEnterprises>[0]> = {},
    ) => importEnterprises({ ctx: rt, actor, source, ...over });
    const count = async (
      table: 'enterprises' | 'audit_log' | 'outbox_events' | 'enterprise_tags' | 'enterprise_products',
    ) =>
      Number(
        (
          await rt.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const snapshot = async () => ({
      enterprises: await count('enterprises'),
      audit: await count('audit_log'),
      events: await count('outbox_events'),
      tags: await count('enterprise_tags'),
      products: await rt.db
        .selectFrom('enterprise_products')
        .select(['enterprise_id', 'category_code', 'created_at'])
        .orderBy('enterprise_id')
        .orderBy('category_code')
        .execute(),
      rows: await rt.db.selectFrom('enterprises').selectAll().orderBy('uscc').execute(),
    });
    const upsert = (rows: EnterpriseInput[]) =>
      rt.db
        .transaction()
        .execute((trx) => upsertEnterprises(trx, { actor, now: clock.now(), rows, source: 'test' }));

    it('imports a CSV with Chinese headers and normalises every field', async () => {
      const a = buildEnterprise();
      const file = csv(ZH, [
        [
          a.uscc,
          ' 东莞市甲乙电子有限公司 ',
          '张三',
          '长安镇振安路1号',
          '长安',
          'C3911',
          '2015/6/30',
          '存续',
          '小型',
          '高新技术企业；出口企业',
        ],
      ]);
      const report = await imp(file);
      expect(report).toEqual({
        total: 1,
        imported: 1,
        updated: 0,
        unchanged: 0,
        rejected: [],
        rejectedRows: 0,
        rejectedCount: 0,
        rejectedByCode: {},
        rejectedOmitted: 0,
        warnings: [],
        dryRun: false,
      });
      const stored = await rt.db
        .selectFrom('enterprises')
        .selectAll()
        .where('uscc', '=', a.uscc)
        .executeTakeFirstOrThrow();
      expect(stored).toMatchObject({
        name: '东莞市甲乙电子有限公司',
        legal_representative: '张三',
        town_code: CHANGAN,
        industry_code: '39',
        registered_on: '2015-06-30',
        status: 'operating',
        scale: 'small',
        tags: '["exporter","highTech"]',
        version: 1,
      });
      expect(await count('enterprise_tags')).toBe(2);
      expect(await count('audit_log')).toBe(1);
      expect(await count('outbox_events')).toBe(1);
    });

    it('imports English headers and an XLSX written by exceljs alike', async () => {
      const a = buildEnterprise({ tags: ['aboveScale'] });
      const b = buildEnterprise({ townCode: HUMEN, scale: null, registeredOn: null, industryCode: null });
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Sheet1');
      ws.addRow(EN);
      ws.addRow([...row(a).slice(0, 6), new Date(`${a.registeredOn}T00:00:00Z`), ...row(a).slice(7)]);
      ws.getCell('G2').numFmt = 'yyyy-mm-dd';
      ws.addRow(row(b, { town: '虎门镇' }));
      const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
      expect(await imp(xlsx)).toMatchObject({ total: 2, imported: 2, rejected: [] });
      // the same data as CSV with English headers changes nothing
      expect(await imp(csv(EN, [row(a), row(b)]))).toMatchObject({
        total: 2,
        imported: 0,
        unchanged: 2,
        rejected: [],
      });
    });

    it('reads the GB18030 fixture', async () => {
      const report = await imp(path.join(FIXTURES, 'enterprises-gb18030.csv'));
      expect(report).toMatchObject({ total: 3, imported: 3, rejected: [] });
      const names = (await rt.db.selectFrom('enterprises').select('name').orderBy('uscc').execute()).map(
        (r) => r.name,
      );
      expect(names).toContain('东莞市𠀀三号（繁體測試）商行');
    });

    it('reports every rejected row with its line, column as written, code and Chinese reason', async () => {
      const ok = buildEnterprise();
      const usccs: Record<string, string> = {
        USCC_LENGTH: '9144190012345',
        USCC_CHARSET: '91441900MA4UJ2TEI1',
        USCC_REGISTRATION_AUTHORITY: 'B1441900MA4UJ2TEX1',
        USCC_ENTITY_TYPE: '94441900MA4UJ2TEX1',
        USCC_DIVISION: '91AB1900MA4UJ2TEX1',
        USCC_ORG_CHECK: '91441900MA4UJ2TE11',
        USCC_CHECK: '91441900MA4UJ2TEX2',
      };
      for (const [code, uscc] of Object.entries(usccs))
        expect(validateUscc(uscc)).toMatchObject({ ok: false, code });
      const header = ['USCC', '名称', '法人', '住所', '镇街', '行业', '成立时间', '经营状态', '规模', '标签'];
      const rows: [string, string[]][] = [];
      const add = (code: string, column: string, over: Partial<Record<(typeof EN)[number], string>>) => {
        const e = buildEnterprise();
        rows.push([`${code}|${column}`, row(e, over)]);
      };
      for (const [code, uscc] of Object.entries(usccs)) add(code, 'USCC', { uscc });
      add('REQUIRED', 'USCC', { uscc: '' });
      add('REQUIRED', '名称', { name: '  ' });
      add('TOO_LONG', '名称', { name: '东'.repeat(101) });
      add('REQUIRED', '镇街', { town: '' });
      add('UNKNOWN_TOWN', '镇街', { town: '火星镇' });
      add('UNKNOWN_INDUSTRY', '行业', { industry: '9999' });
      add('INVALID_DATE', '成立时间', { registered_on: '2023-02-29' });
      add('FUTURE_DATE', '成立时间', { registered_on: '2026-11-27' });
      add('TOO_EARLY', '成立时间', { registered_on: '1900-01-01' });
      add('INVALID_STATUS', '经营状态', { status: '倒闭' });
      add('INVALID_SCALE', '规模', { scale: '巨型' });
      add('UNKNOWN_TAG', '标签', { tags: '世界500强' });
      add('TOO_LONG', '法人', { legal_representative: '张'.repeat(51) });
      add('TOO_LONG', '住所', { registered_address: '路'.repeat(201) });
      rows.push(['ok', row(ok)]);
      rows.push(['DUPLICATE_IN_FILE|USCC', row(ok, { name: '同一代码的另一家' })]);
      const lines = [header, ...rows.map((r) => r[1])].map((r) => csvLine(r)).join('');
      const text = `${CSV_BOM}${lines}"unclosed,quote\r\n`;
      const report = await imp(Buffer.from(text, 'utf8'));

      const expected = rows
        .map(([tag], i) => ({ tag, row: i + 2 }))
        .filter((x) => x.tag !== 'ok')
        .map(({ tag, row: line }) => {
          const [code, column] = tag.split('|');
          return { row: line, column, code };
        });
      expected.push({ row: rows.length + 2, column: null as unknown as string, code: 'CSV_UNCLOSED_QUOTE' });
      expect(report.rejected.map((r) => ({ row: r.row, column: r.column, code: r.code }))).toEqual(expected);
      for (const r of report.rejected) expect(r.message).toMatch(/[\u4e00-\u9fff]/);
      const dup = report.rejected.find((r) => r.code === 'DUPLICATE_IN_FILE')!;
      expect(dup.message).toContain(`第${rows.length}行`); // names the first occurrence
      expect(report).toMatchObject({ total: rows.length + 1, imported: 1, updated: 0, unchanged: 0 });
      // the first occurrence won; the duplicate was not merged into it
      const stored = await rt.db
        .selectFrom('enterprises')
        .select('name')
        .where('uscc', '=', ok.uscc)
        .executeTakeFirstOrThrow();
      expect(stored.name).toBe(ok.name);
      expect(summarizeReport(report).zh).toContain(`拒绝 ${rows.length} 行`);
    });

    it('rejects every later repeat of a USCC, naming the first line, even across batches', async () => {
      const a = buildEnterprise();
      const b = buildEnterprise();
      const report = await imp(
        csv(ZH.slice(0, 5), [
          row(a).slice(0, 5),
          row(b).slice(0, 5),
          row(a, { name: 'x' }).slice(0, 5),
          row(a, { name: 'y' }).slice(0, 5),
        ]),
        { batchSize: 1 },
      );
      expect(report.rejected.map((r) => [r.row, r.code])).toEqual([
        [4, 'DUPLICATE_IN_FILE'],
        [5, 'DUPLICATE_IN_FILE'],
      ]);
      expect(report.rejected.every((r) => r.message.includes('第2行'))).toBe(true);
      expect(report.imported).toBe(2);
    });

    it('importing the same file twice changes nothing the second time (no audit, no events, no version)', async () => {
      const rows = Array.from({ length: 25 }, (_, i) =>
        buildEnterprise({ tags: i % 2 ? ['exporter'] : [], scale: i % 3 ? 'small' : null }),
      );
      const file = csv(
        EN,
        rows.map((e) => row(e)),
      );
      expect(await imp(file, { batchSize: 7 })).toMatchObject({
        total: 25,
        imported: 25,
        updated: 0,
        unchanged: 0,
        rejected: [],
      });
      const before = await snapshot();
      clock.advance(60_000);
      expect(await imp(file, { batchSize: 7 })).toMatchObject({
        total: 25,
        imported: 0,
        updated: 0,
        unchanged: 25,
        rejected: [],
      });
      expect(await snapshot()).toEqual(before);
    });

    it('updates changed rows: version, audit and events for those rows only', async () => {
      const a = buildEnterprise();
      const b = buildEnterprise();
      await upsert([a, b]);
      const audit = await count('audit_log');
      const report = await imp(csv(EN, [row(a, { name: `${a.name}（新）`, status: '注销' }), row(b)]));
      expect(report).toMatchObject({ imported: 0, updated: 1, unchanged: 1 });
      const stored = await rt.db
        .selectFrom('enterprises')
        .selectAll()
        .where('uscc', '=', a.uscc)
        .executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ status: 'cancelled', version: 2 });
      expect(await count('audit_log')).toBe(audit + 1);
      const types = (await rt.db.selectFrom('outbox_events').select('type').execute()).map((e) => e.type);
      expect(types).toEqual(
        expect.arrayContaining(['registry.enterprise.updated', 'registry.enterprise.statusChanged']),
      );
    });

    it('a dry run reports what would happen and writes nothing', async () => {
      const same = buildEnterprise();
      const changed = buildEnterprise();
      await upsert([same, changed]);
      const fresh = buildEnterprise();
      const file = csv(EN, [
        row(same),
        row(changed, { scale: '大型' }),
        row(fresh),
        row(fresh),
        row(buildEnterprise(), { town: '火星' }),
      ]);
      const before = await snapshot();
      const dry = await imp(file, { dryRun: true, batchSize: 2 });
      expect(await snapshot()).toEqual(before);
      expect(dry).toMatchObject({ dryRun: true, total: 5, imported: 1, updated: 1, unchanged: 1 });
      expect(dry.rejected.map((r) => r.code)).toEqual(['DUPLICATE_IN_FILE', 'UNKNOWN_TOWN']);
      const real = await imp(file, { batchSize: 2 });
      expect({ ...real, dryRun: true }).toEqual(dry);
    });

    it('warns once about unknown columns and refuses a file without the required ones', async () => {
      const a = buildEnterprise();
      const report = await imp(
        csv([...ZH.slice(0, 5), '联系电话', '备注'], [[...row(a).slice(0, 5), '13800000000', '无']]),
      );
      expect(report.warnings).toEqual([
        { row: 1, column: null, code: 'UNKNOWN_COLUMNS', message: expect.stringContaining('联系电话、备注') },
      ]);
      expect(report.imported).toBe(1);
      try {
        await imp(csv(['企业名称', '法人'], [['甲', '乙']]));
        expect.unreachable();
      } catch (e) {
        expect(isAppError(e) && e.code).toBe('VALIDATION_FAILED');
        expect(isAppError(e) && e.fields[0]?.field).toBe('file');
      }
      expect(await count('enterprises')).toBe(1);
    });

    it('limits a town officer to their town: other towns and enterprises registered elsewhere are OUT_OF_SCOPE', async () => {
      const elsewhere = buildEnterprise({ townCode: HUMEN });
      await upsert([elsewhere]);
      const mine = buildEnterprise({ townCode: CHANGAN });
      const theirs = buildEnterprise({ townCode: HUMEN });
      const file = csv(EN, [row(mine), row(theirs), row(elsewhere, { town: '长安镇' })]);
      for (const dryRun of [true, false]) {
        const report = await imp(file, { scope: { townCode: CHANGAN }, dryRun });
        expect(report.rejected.map((r) => [r.row, r.column, r.code])).toEqual([
          [3, 'town', 'OUT_OF_SCOPE'],
          [4, 'town', 'OUT_OF_SCOPE'],
        ]);
        expect(report.rejected[0]!.message).toContain('长安镇');
        expect(report.imported).toBe(1);
      }
      const moved = await rt.db
        .selectFrom('enterprises')
        .select('town_code')
        .where('uscc', '=', elsewhere.uscc)
        .executeTakeFirstOrThrow();
      expect(moved.town_code).toBe(HUMEN);
    });

    it('commits each batch whole or not at all: a failing batch leaves no row, audit or event of its own', async () => {
      if (dialect === 'sqlite') {
        await sql`create trigger boom before insert on enterprises when new.name = '爆炸' begin select raise(abort, 'boom'); end`.execute(
          rt.db,
        );
      } else {
        await sql`create function boom() returns trigger language plpgsql as $$ begin if new.name = '爆炸' then raise exception 'boom'; end if; return new; end $$`.execute(
          rt.db,
        );
        await sql`create trigger boom before insert on enterprises for each row execute function boom()`.execute(
          rt.db,
        );
      }
      try {
        const rows = Array.from({ length: 9 }, () => buildEnterprise());
        rows[4] = { ...rows[4]!, name: '爆炸' };
        const progress: number[] = [];
        let err: unknown;
        try {
          await imp(
            csv(
              EN,
              rows.map((e) => row(e)),
            ),
            { batchSize: 3, onProgress: (p) => void progress.push(p.done) },
          );
        } catch (e) {
          err = e;
        }
        expect(String(err)).toContain('boom');
        // Batch 2 (rows 4–6) is entirely absent, audit and events included. Batch 1 committed; on
        // PostgreSQL batch 3 may have been written alongside batch 2 and committed too — whole.
        const stored = (await rt.db.selectFrom('enterprises').select('uscc').execute())
          .map((r) => r.uscc)
          .sort();
        const batches = [rows.slice(0, 3), rows.slice(3, 6), rows.slice(6, 9)].map((b) =>
          b.map((e) => e.uscc).sort(),
        );
        const whole = [batches[0]!, ...(stored.length > 3 ? [batches[2]!] : [])].flat().sort();
        expect(stored).toEqual(whole);
        expect(stored.some((u) => batches[1]!.includes(u))).toBe(false);
        expect(await count('audit_log')).toBe(stored.length);
        expect(await count('outbox_events')).toBe(stored.length);
        if (dialect === 'sqlite') {
          expect(stored).toHaveLength(3); // one writer: the import stopped at the failing batch
          expect(progress).toEqual([3]);
        }
      } finally {
        await sql`drop trigger boom${sql.raw(dialect === 'postgres' ? ' on enterprises' : '')}`.execute(
          rt.db,
        );
        if (dialect === 'postgres') await sql`drop function boom()`.execute(rt.db);
      }
    });

    it('two imports of the same file at once leave each row once (a lost race is retried)', async () => {
      const rows = Array.from({ length: 40 }, () => buildEnterprise());
      const file = csv(
        EN,
        rows.map((e) => row(e)),
      );
      const [a, b] = await Promise.all([imp(file, { batchSize: 5 }), imp(file, { batchSize: 5 })]);
      expect(a.rejected).toEqual([]);
      expect(b.rejected).toEqual([]);
      expect(a.imported + b.imported).toBe(40);
      expect(a.unchanged + b.unchanged).toBe(40);
      expect(await count('enterprises')).toBe(40);
      expect(await count('audit_log')).toBe(40);
      expect(await count('outbox_events')).toBe(40);
    });

    it('reports progress per batch', async () => {
      const rows = Array.from({ length: 10 }, () => buildEnterprise());
      const seen: { rows: number; done: number }[] = [];
      await imp(
        csv(
          EN,
          rows.map((e) => row(e)),
        ),
        { batchSize: 4, onProgress: (p) => void seen.push({ rows: p.rows, done: p.done }) },
      );
      // batches may commit out of order on PostgreSQL (two at once); each step is a whole batch
      const done = seen.map((p) => p.done);
      const steps = done.map((d, i) => d - (done[i - 1] ?? 0)).filter((d) => d > 0);
      expect(steps.sort()).toEqual([2, 4, 4]);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(seen.at(-1)).toEqual({ rows: 10, done: 10 });
    });

    describe('product categories (产品类别)', () => {
      const links = async (uscc: string) =>
        (
          await rt.db
            .selectFrom('enterprise_products as p')
            .innerJoin('enterprises as e', 'e.id', 'p.enterprise_id')
            .select('p.category_code')
            .where('e.uscc', '=', uscc)
            .orderBy('p.category_code')
            .execute()
        ).map((r) => r.category_code);

      it('reads codes and exact names separated by ；;、, and replaces the set; a second run changes nothing', async () => {
        const a = buildEnterprise();
        const b = buildEnterprise();
        const c = buildEnterprise();
        await upsert([{ ...b, productCategories: ['0301'] }]);
        const file = csv(ZH, [
          row(a, { product_categories: '电线电缆；0104;电子元器件' }),
          row(b, { product_categories: '儿童玩具、 0202 ，0301' }),
          row(c, { product_categories: '104' }), // Excel dropped the leading zero of 0104
        ]);
        expect(await imp(file, { dryRun: true })).toMatchObject({ imported: 2, updated: 1, rejected: [] });
        expect(await links(b.uscc)).toEqual(['0301']);
        expect(await imp(file)).toMatchObject({ imported: 2, updated: 1, unchanged: 0, rejected: [] });
        expect(await links(a.uscc)).toEqual(['0101', '0104', '0107']);
        expect(await links(b.uscc)).toEqual(['0201', '0202', '0301']);
        expect(await links(c.uscc)).toEqual(['0104']);
        const history = await rt.db
          .selectFrom('audit_log')
          .select(['before', 'after'])
          .where('action', '=', 'enterprise.update')
          .execute();
        expect(
          history.map((h) => [
            JSON.parse(h.before!).productCategories,
            JSON.parse(h.after!).productCategories,
          ]),
        ).toEqual([[['0301'], ['0201', '0202', '0301']]]);
        const before = await snapshot();
        expect(await imp(file, { dryRun: true })).toMatchObject({ unchanged: 3 });
        expect(await imp(file)).toMatchObject({ unchanged: 3, updated: 0 });
        expect(await snapshot()).toEqual(before);
      });

      it('leaves the categories alone in a file without the column, and clears them for an empty cell', async () => {
        const a = buildEnterprise({ productCategories: ['0201'] });
        const b = buildEnterprise({ productCategories: ['0202'] });
        await upsert([a, b]);
        const noColumn = csv(ZH.slice(0, -1), [row(a).slice(0, -1)]);
        expect(await imp(noColumn)).toMatchObject({ unchanged: 1 });
        expect(await links(a.uscc)).toEqual(['0201']);
        const renamed = csv(ZH.slice(0, -1), [row({ ...a, name: `${a.name}（改）` }).slice(0, -1)]);
        expect(await imp(renamed)).toMatchObject({ updated: 1 });
        expect(await links(a.uscc)).toEqual(['0201']);
        expect(await imp(csv(ZH, [row(b, { product_categories: '' })]))).toMatchObject({ updated: 1 });
        expect(await links(b.uscc)).toEqual([]);
      });

      it('rejects a row naming an unknown, retired or ambiguous category, naming it and the column', async () => {
        await rt.db
          .insertInto('product_categories')
          .values([
            {
              id: 'pc-old',
              code: '0698',
              name: '停用类别',
              name_en: 'Retired',
              parent_code: '06',
              industry_code: '26',
              active: 0,
              created_at: 'x',
              updated_at: 'x',
            },
            {
              id: 'pc-twin',
              code: '0699',
              name: '洗涤用品',
              name_en: 'Twin',
              parent_code: '06',
              industry_code: '26',
              active: 1,
              created_at: 'x',
              updated_at: 'x',
            },
          ])
          .execute();
        try {
          const [a, b, c, d] = [buildEnterprise(), buildEnterprise(), buildEnterprise(), buildEnterprise()];
          const report = await imp(
            csv(ZH, [
              row(a, { product_categories: '0101、玩具枪' }),
              row(b, { product_categories: '0698' }),
              row(c, { product_categories: '洗涤用品' }),
              row(d, { product_categories: '0602；0699' }),
            ]),
          );
          expect(report).toMatchObject({ imported: 1, rejectedRows: 3 });
          expect(report.rejected).toEqual([
            {
              row: 2,
              column: '产品类别',
              code: 'UNKNOWN_PRODUCT_CATEGORY',
              message: '未知的产品类别：玩具枪',
            },
            {
              row: 3,
              column: '产品类别',
              code: 'INACTIVE_PRODUCT_CATEGORY',
              message: '产品类别 0698（停用类别）已停用',
            },
            {
              row: 4,
              column: '产品类别',
              code: 'AMBIGUOUS_PRODUCT_CATEGORY',
              message: '产品类别名称“洗涤用品”对应多个类别（0602、0699），请填写类别代码',
            },
          ]);
          expect(await links(d.uscc)).toEqual(['0602', '0699']);
          // the export writes a shared name as the code, so the file imports back as it was
          const text = (await collect((out) => exportEnterprisesCsv(rt, { filters: {}, out }))).toString(
            'utf8',
          );
          expect(text).toContain('0602、0699');
          const before = await snapshot();
          expect(await imp(Buffer.from(text, 'utf8'))).toMatchObject({ unchanged: 1, rejected: [] });
          expect(await snapshot()).toEqual(before);
        } finally {
          await rt.db.deleteFrom('enterprise_products').execute();
          await rt.db.deleteFrom('product_categories').where('code', 'in', ['0698', '0699']).execute();
        }
      });

      it('exports only the enterprises making a category when asked', async () => {
        const a = buildEnterprise({ productCategories: ['0201'] });
        const b = buildEnterprise({ productCategories: ['0101'] });
        await upsert([a, b, buildEnterprise()]);
        const text = (
          await collect((out) => exportEnterprisesCsv(rt, { filters: { productCategory: '02' }, out }))
        ).toString('utf8');
        expect(text).toContain(a.uscc);
        expect(text).not.toContain(b.uscc);
        expect(text.split('\r\n').filter(Boolean)).toHaveLength(2);
      });
    });

    describe('export', () => {
      const tricky = () => [
        buildEnterprise({
          name: '东莞市"引号",逗号有限公司',
          legalRepresentative: '=SUM(A1)',
          tags: ['exporter', 'highTech'],
          productCategories: ['0101', '0201'],
        }),
        buildEnterprise({
          townCode: HUMEN,
          registeredAddress: '东莞市虎门镇"太平",银龙路 8 号',
          scale: null,
          registeredOn: null,
          industryCode: null,
          status: 'revoked',
          productCategories: ['0106'],
        }),
        buildEnterprise({
          townCode: '441900401',
          name: '+86 企业',
          legalRepresentative: null,
          registeredAddress: null,
          scale: 'large',
          tags: ['keyEnergyUnit'],
        }),
        ...Array.from({ length: 7 }, (_, i) =>
          buildEnterprise({ status: i % 2 ? 'suspended' : 'operating' }),
        ),
      ];

      it('writes CSV with BOM, CRLF and the import’s Chinese headers; import of it changes nothing', async () => {
        await upsert(tricky());
        await rt.db
          .insertInto('enterprise_contacts')
          .values({
            id: 'c1',
            enterprise_id: (await rt.db.selectFrom('enterprises').select('id').executeTakeFirstOrThrow()).id,
            name: '联系人',
            role: null,
            phone: '13800138000',
            email: null,
            resident_id: null,
            created_at: clock.now().toISOString(),
          })
          .execute();
        const bytes = await collect((out) => exportEnterprisesCsv(rt, { filters: {}, out, pageSize: 3 }));
        const text = bytes.toString('utf8');
        expect(text.startsWith(`\uFEFF${ZH.join(',')}\r\n`)).toBe(true);
        expect(text).not.toContain('13800138000');
        expect(text).not.toContain('联系人');
        expect(text).toContain("'=SUM(A1)");
        expect(text).toContain('"东莞市虎门镇""太平"",银龙路 8 号"');
        expect(text).toContain('存续');
        expect(text).toContain('虎门镇');
        expect(text).toContain('电线电缆、儿童玩具');
        expect(text.split('\r\n').filter(Boolean)).toHaveLength(11);
        const before = await snapshot();
        const report = await imp(bytes);
        expect(report).toMatchObject({
          total: 10,
          imported: 0,
          updated: 0,
          unchanged: 10,
          rejected: [],
          warnings: [],
        });
        expect(await snapshot()).toEqual(before);
      });

      it('writes XLSX (bold frozen header, USCC as text) that imports back unchanged', async () => {
        await upsert(tricky());
        const bytes = await collect((out) => exportEnterprisesXlsx(rt, { filters: {}, out, pageSize: 4 }));
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(bytes as unknown as ArrayBuffer);
        const ws = wb.worksheets[0]!;
        expect(ws.getRow(1).values).toEqual([undefined, ...ZH]);
        expect(ws.getRow(1).font?.bold).toBe(true);
        expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
        expect(typeof ws.getRow(2).getCell(1).value).toBe('string');
        expect(ws.getColumn(1).numFmt).toBe('@');
        expect(ws.rowCount).toBe(11);
        const before = await snapshot();
        expect(await imp(bytes)).toMatchObject({ total: 10, unchanged: 10, rejected: [] });
        expect(await snapshot()).toEqual(before);
      });

      it('filters like the search and narrows to a scope', async () => {
        await upsert(tricky());
        const lines = async (opts: Partial<Parameters<typeof exportEnterprisesCsv>[1]>) =>
          (await collect((out) => exportEnterprisesCsv(rt, { filters: {}, out, ...opts })))
            .toString('utf8')
            .split('\r\n')
            .filter(Boolean).length - 1;
        expect(await lines({})).toBe(10);
        expect(await lines({ filters: { town: HUMEN } })).toBe(1);
        expect(await lines({ scope: { townCode: CHANGAN } })).toBe(8);
        expect(await lines({ filters: { status: 'suspended' } })).toBe(3);
        expect(await lines({ filters: { tag: 'exporter' } })).toBe(1);
        expect(await lines({ filters: { town: HUMEN }, scope: { townCode: CHANGAN } })).toBe(0);
      });

      it('offers a template whose example row imports', async () => {
        const csvTemplate = templateCsv();
        expect(csvTemplate.toString('utf8').startsWith(`\uFEFF${ZH.join(',')}\r\n`)).toBe(true);
        expect(await imp(csvTemplate, { dryRun: true })).toMatchObject({
          total: 1,
          imported: 1,
          rejected: [],
          warnings: [],
        });
        const xlsxTemplate = await templateXlsx(rt);
        const report = await imp(xlsxTemplate);
        expect(report).toMatchObject({ total: 1, imported: 1, rejected: [], warnings: [] });
        expect(await imp(csvTemplate)).toMatchObject({ unchanged: 1 });
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(xlsxTemplate as unknown as ArrayBuffer);
        expect(wb.worksheets.map((w) => w.name)).toEqual(['企业名录', '镇街', '产品类别', '填写说明']);
        const made = await rt.db
          .selectFrom('enterprise_products as p')
          .innerJoin('enterprises as e', 'e.id', 'p.enterprise_id')
          .select('p.category_code')
          .where('e.name', '=', '东莞市示例电子科技有限公司')
          .orderBy('p.category_code')
          .execute();
        expect(made.map((m) => m.category_code)).toEqual(['0104', '0107']);
      });
    });

    describe('CLI', () => {
      let dir: string;
      beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-cli-'));
      });
      afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

      it('runImport writes the JSON report; runExport writes CSV or XLSX by extension', async () => {
        const a = buildEnterprise();
        const file = path.join(dir, 'in.csv');
        fs.writeFileSync(file, csv(EN, [row(a), row(buildEnterprise(), { town: '火星' })]));
        const reportFile = path.join(dir, 'out', 'report.json');
        const log = console.log;
        const printed: string[] = [];
        console.log = (...args: unknown[]) => void printed.push(args.join(' '));
        try {
          await runImport(rt, { file, report: reportFile });
          await runExport(rt, { file: path.join(dir, 'all.csv') });
          await runExport(rt, { file: path.join(dir, 'changan.xlsx'), filters: { town: '长安' } });
        } finally {
          console.log = log;
        }
        const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ImportReport;
        expect(report).toEqual({
          total: 2,
          imported: 1,
          updated: 0,
          unchanged: 0,
          rejected: [{ row: 3, column: 'town', code: 'UNKNOWN_TOWN', message: '未知的镇街：火星' }],
          rejectedRows: 1,
          rejectedCount: 1,
          rejectedByCode: { UNKNOWN_TOWN: 1 },
          rejectedOmitted: 0,
          warnings: [],
          dryRun: false,
        });
        expect(printed.join('\n')).toContain('共 2 行，新增 1，更新 0，未变 0，拒绝 1 行');
        expect(printed.join('\n')).toContain('2 rows: 1 imported');
        expect(fs.readFileSync(path.join(dir, 'all.csv'), 'utf8')).toContain(a.uscc);
        expect(fs.existsSync(path.join(dir, 'all.csv.part'))).toBe(false);
        const again = await importEnterprises({ ctx: rt, actor, source: path.join(dir, 'changan.xlsx') });
        expect(again).toMatchObject({ total: 1, unchanged: 1 });
      });
    });
  });
}
