import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { offsetClock } from '../../../core/clock.js';
import { addUser, PASSWORD } from '../../../platform/auth/test-helpers.js';
import type { Runtime } from '../../../platform/bootstrap.js';
import { systemActor } from '../../../platform/context.js';
import { buildApp } from '../../../server/app.js';
import { DIALECTS, testContext } from '../../../testing/db.js';
import { buildEnterprise } from '../../../testing/factories.js';
import type { EnterpriseInput } from '../enterprise-input.js';
import { upsertEnterprises } from '../enterprises.js';
import { CSV_BOM, csvLine } from './export.js';

const CHANGAN = '441900119';
const HUMEN = '441900121';
const HEADER = ['uscc', 'name', 'town', 'status'];
const line = (e: EnterpriseInput) => [e.uscc, e.name, e.townCode, e.status];
const csvOf = (rows: string[][]) =>
  Buffer.from(CSV_BOM + [HEADER, ...rows].map((r) => csvLine(r)).join(''), 'utf8');

/** A multipart/form-data body with one file part (and any extra text fields). */
function multipart(
  file: Buffer | null,
  opts: { field?: string; name?: string; extra?: Record<string, string> } = {},
) {
  const boundary = '----zhihui-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(opts.extra ?? {})) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${opts.field ?? 'file'}"; filename="${opts.name ?? 'enterprises.csv'}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      file,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

for (const dialect of DIALECTS) {
  describe(`import/export over HTTP [${dialect}]`, () => {
    let rt: Runtime;
    let app: FastifyInstance;
    const sessions: Record<string, { cookie: string; csrf: string }> = {};
    const clock = offsetClock('2026-11-26T02:00:00.000Z');

    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
      const org = buildEnterprise({ townCode: HUMEN });
      await rt.db.transaction().execute((trx) =>
        upsertEnterprises(trx, {
          actor: systemActor('test'),
          now: clock.now(),
          rows: [org],
          source: 'test',
        }),
      );
      await addUser(rt, 'reg', 'regulator');
      await addUser(rt, 'town', 'townOfficer', { townCode: CHANGAN });
      await addUser(rt, 'org', 'enterprise', { enterpriseUscc: org.uscc });
      // a 1 MB upload limit, so the over-size test stays small
      app = await buildApp({ ...rt, config: { ...rt.config, uploadMaxMb: 1 } });
      for (const username of ['reg', 'town', 'org']) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username, password: PASSWORD },
        });
        expect(res.statusCode).toBe(200);
        sessions[username] = {
          cookie: String(res.headers['set-cookie']).split(';')[0]!,
          csrf: res.json().csrfToken,
        };
      }
    });
    afterAll(async () => {
      await app?.close();
      await rt?.close();
    });
    beforeEach(async () => {
      await rt.db.deleteFrom('enterprise_tags').execute();
      await rt.db.deleteFrom('enterprises').where('town_code', '!=', HUMEN).execute();
    });

    const upload = (who: string, body: ReturnType<typeof multipart>, query = '') =>
      app.inject({
        method: 'POST',
        url: `/api/v1/imports/enterprises${query}`,
        payload: body.payload,
        headers: {
          cookie: sessions[who]!.cookie,
          'x-csrf-token': sessions[who]!.csrf,
          'content-type': body.contentType,
        },
      });
    const get = (who: string | null, url: string) =>
      app.inject({ method: 'GET', url, headers: who ? { cookie: sessions[who]!.cookie } : {} });
    const enterprises = async () =>
      Number(
        (
          await rt.db
            .selectFrom('enterprises')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('previews with dryRun=true, then imports, returning the report', async () => {
      const rows = [buildEnterprise(), buildEnterprise(), buildEnterprise()];
      const body = multipart(
        csvOf([...rows.map(line), [rows[0]!.uscc, 'dup', '长安镇', '存续'], ['bad', 'x', '长安镇', '']]),
      );
      const before = await enterprises();
      const dry = await upload('reg', body, '?dryRun=true');
      expect(dry.statusCode).toBe(200);
      expect(dry.json()).toMatchObject({
        dryRun: true,
        total: 5,
        imported: 3,
        updated: 0,
        unchanged: 0,
        warnings: [],
      });
      expect(dry.json().rejected.map((r: { row: number; code: string }) => [r.row, r.code])).toEqual([
        [5, 'DUPLICATE_IN_FILE'],
        [6, 'USCC_LENGTH'],
      ]);
      expect(await enterprises()).toBe(before);
      const real = await upload('reg', body, '?dryRun=false');
      expect(real.statusCode).toBe(200);
      expect({ ...real.json(), dryRun: true }).toEqual(dry.json());
      expect(await enterprises()).toBe(before + 3);
      const audit = await rt.db
        .selectFrom('audit_log')
        .select(['actor_label', 'request_id'])
        .where('action', '=', 'enterprise.create')
        .where('request_id', '=', String(real.headers['x-request-id']))
        .execute();
      expect(audit).toHaveLength(3);
      expect(audit[0]!.actor_label).toBe('reg');
    });

    it('accepts an XLSX upload', async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('企业');
      ws.addRow(['统一社会信用代码', '企业名称', '所属镇街']);
      const e = buildEnterprise();
      ws.addRow([e.uscc, e.name, '长安镇']);
      const res = await upload(
        'reg',
        multipart(Buffer.from(await wb.xlsx.writeBuffer()), { name: '名录.xlsx' }),
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ total: 1, imported: 1, rejected: [] });
    });

    it('answers a missing file with 400, an over-size file with 413, an unreadable one with 400', async () => {
      const none = await upload('reg', multipart(null, { extra: { note: 'x' } }));
      expect(none.statusCode).toBe(400);
      expect(none.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        fields: [{ field: 'file', code: 'REQUIRED' }],
      });
      const wrongField = await upload('reg', multipart(csvOf([]), { field: 'upload' }));
      expect(wrongField.statusCode).toBe(400);
      const notMultipart = await app.inject({
        method: 'POST',
        url: '/api/v1/imports/enterprises',
        payload: { file: 'x' },
        headers: { cookie: sessions.reg!.cookie, 'x-csrf-token': sessions.reg!.csrf },
      });
      expect(notMultipart.statusCode).toBe(400);
      const big = await upload('reg', multipart(Buffer.alloc(1024 * 1024 + 10, 0x61)));
      expect(big.statusCode).toBe(413);
      expect(big.headers['content-type']).toContain('application/problem+json');
      expect(big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      const junk = await upload(
        'reg',
        multipart(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), { name: 'x.xlsx' }),
      );
      expect(junk.statusCode).toBe(400);
      expect(junk.json()).toMatchObject({ code: 'UNSUPPORTED_FILE' });
      expect(junk.json().message.zh.length).toBeGreaterThan(0);
      const empty = await upload('reg', multipart(Buffer.alloc(0)));
      expect(empty.json()).toMatchObject({ code: 'UNSUPPORTED_FILE' });
      const noColumns = await upload('reg', multipart(Buffer.from('名称,地址\r\n甲,乙\r\n')));
      expect(noColumns.statusCode).toBe(400);
      expect(noColumns.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        fields: [
          { field: 'file', code: 'MISSING_COLUMN' },
          { field: 'file', code: 'MISSING_COLUMN' },
        ],
      });
      expect(noColumns.json().message.zh).toContain('统一社会信用代码');
    });

    it('keeps a town officer to their town, and enterprise users out', async () => {
      const mine = buildEnterprise({ townCode: CHANGAN });
      const theirs = buildEnterprise({ townCode: HUMEN });
      const res = await upload('town', multipart(csvOf([line(mine), line(theirs)])));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        imported: 1,
        rejected: [{ row: 3, column: 'town', code: 'OUT_OF_SCOPE' }],
      });
      const forbidden = await upload('org', multipart(csvOf([line(buildEnterprise())])));
      expect(forbidden.statusCode).toBe(403);
      expect((await get('org', '/api/v1/exports/enterprises.csv')).statusCode).toBe(403);
      expect((await get('org', '/api/v1/imports/enterprises/template.csv')).statusCode).toBe(403);
      expect((await get(null, '/api/v1/exports/enterprises.csv')).statusCode).toBe(401);
      const csrfless = await app.inject({
        method: 'POST',
        url: '/api/v1/imports/enterprises',
        ...(() => {
          const b = multipart(csvOf([]));
          return {
            payload: b.payload,
            headers: { cookie: sessions.reg!.cookie, 'content-type': b.contentType },
          };
        })(),
      });
      expect(csrfless.statusCode).toBe(403);
    });

    it('serves the templates', async () => {
      const csv = await get('reg', '/api/v1/imports/enterprises/template.csv');
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.headers['content-disposition']).toContain("filename*=UTF-8''");
      expect(csv.body.startsWith('\uFEFF统一社会信用代码,企业名称')).toBe(true);
      const xlsx = await get('town', '/api/v1/imports/enterprises/template.xlsx');
      expect(xlsx.statusCode).toBe(200);
      expect(xlsx.headers['content-type']).toContain('spreadsheetml');
      expect(xlsx.rawPayload.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    });

    it('exports with the search filters, scoped for a town officer, never with contacts', async () => {
      const rows = [
        buildEnterprise({ townCode: CHANGAN }),
        buildEnterprise({ townCode: CHANGAN, status: 'suspended' }),
      ];
      await rt.db
        .transaction()
        .execute((trx) =>
          upsertEnterprises(trx, { actor: systemActor('test'), now: clock.now(), rows, source: 'test' }),
        );
      const all = await get('reg', '/api/v1/exports/enterprises.csv');
      expect(all.statusCode).toBe(200);
      expect(all.headers['content-type']).toContain('text/csv');
      expect(all.headers['content-disposition']).toContain('enterprises-2026-11-26.csv');
      const lines = (body: string) => body.split('\r\n').filter(Boolean).length - 1;
      expect(lines(all.body)).toBe(3);
      expect(all.body).not.toMatch(/联系|电话|phone/i);
      expect(lines((await get('reg', `/api/v1/exports/enterprises.csv?town=${HUMEN}`)).body)).toBe(1);
      expect(lines((await get('reg', '/api/v1/exports/enterprises.csv?status=suspended')).body)).toBe(1);
      expect(lines((await get('town', '/api/v1/exports/enterprises.csv')).body)).toBe(2);
      expect(lines((await get('town', `/api/v1/exports/enterprises.csv?town=${HUMEN}`)).body)).toBe(0);
      const bad = await get('reg', '/api/v1/exports/enterprises.csv?status=open');
      expect(bad.statusCode).toBe(400);
      const xlsx = await get('town', '/api/v1/exports/enterprises.xlsx');
      expect(xlsx.statusCode).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      expect(wb.worksheets[0]!.rowCount).toBe(3);
      // what the export wrote, the import takes back unchanged
      const back = await upload('reg', multipart(all.rawPayload));
      expect(back.json()).toMatchObject({ total: 3, unchanged: 3, rejected: [] });
    });

    it('documents the routes in OpenAPI under the registry tag', async () => {
      const doc = (await app.inject('/api/docs/json')).json();
      const paths = doc.paths as Record<
        string,
        Record<
          string,
          { tags?: string[]; parameters?: { name: string }[]; responses: Record<string, unknown> }
        >
      >;
      for (const [p, method] of [
        ['/api/v1/imports/enterprises', 'post'],
        ['/api/v1/imports/enterprises/template.csv', 'get'],
        ['/api/v1/imports/enterprises/template.xlsx', 'get'],
        ['/api/v1/exports/enterprises.csv', 'get'],
        ['/api/v1/exports/enterprises.xlsx', 'get'],
      ] as const) {
        const op = paths[p]?.[method];
        expect(op, p).toBeDefined();
        expect(op!.tags).toEqual(['registry']);
        expect(op!.responses['200']).toBeDefined();
      }
      expect(paths['/api/v1/imports/enterprises']!.post!.parameters!.map((x) => x.name)).toContain('dryRun');
      expect(paths['/api/v1/exports/enterprises.csv']!.get!.parameters!.map((x) => x.name)).toEqual(
        expect.arrayContaining(['q', 'town', 'industry', 'status', 'scale', 'tag']),
      );
    });
  });
}
