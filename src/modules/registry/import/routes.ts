// HTTP import and export of the register: upload a CSV/XLSX (dry run = preview with the report),
// download the template, export the search result as CSV or XLSX. Policies as data (route config);
// a town officer is narrowed to their own town here.
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { AppError } from '../../../core/errors.js';
import { todayInShanghai } from '../../../core/workdays.js';
import { actorOf, requireUser } from '../../../platform/auth/plugin.js';
import { type AuthUser, scopeOf } from '../../../platform/auth/policies.js';
import type { AppContext } from '../../../platform/context.js';
import type { EnterpriseFilter } from '../enterprises.js';
import { EnterpriseFilterQuery } from '../schemas.js';
import { exportEnterprisesCsv, exportEnterprisesXlsx, templateCsv, templateXlsx } from './export.js';
import { importEnterprises } from './import.js';

const tags = ['registry'];

const CSV_TYPE = 'text/csv; charset=utf-8';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const Entry = Type.Object({
  row: Type.Integer({ description: '文件中的行号（表头为第1行） Line of the file; the header is line 1' }),
  column: Type.Union([Type.String(), Type.Null()], {
    description: '文件中的列名 Header as written in the file',
  }),
  code: Type.String(),
  message: Type.String({ description: '中文说明 Reason, in Chinese' }),
});

export const ImportReportSchema = Type.Object({
  total: Type.Integer(),
  imported: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Array(Entry, {
    description:
      '前若干条被拒绝的行（按行号，最多 IMPORT_REPORT_MAX_REJECTIONS 条）The first rejections, by line',
  }),
  rejectedRows: Type.Integer({ description: '被拒绝的行数 Lines rejected, all told' }),
  rejectedCount: Type.Integer({ description: '拒绝原因总条数 Rejections, all told' }),
  rejectedByCode: Type.Record(Type.String(), Type.Integer(), {
    description: '按原因代码统计的拒绝条数 Rejections counted by code',
  }),
  rejectedOmitted: Type.Integer({ description: '未列出的拒绝条数 Rejections not listed' }),
  warnings: Type.Array(Entry),
  dryRun: Type.Boolean(),
});

const ImportQuery = Type.Object(
  { dryRun: Type.Optional(Type.Boolean({ default: false, description: '试导入：只校验并报告，不写入' })) },
  { additionalProperties: false },
);

const ExportQuery = EnterpriseFilterQuery;

const fileResponse = (mediaType: string, description: string) => ({
  200: {
    description,
    content: { [mediaType]: { schema: Type.String({ format: 'binary' }) } },
  },
});

/** What a user's export or import may touch; null when they may touch nothing. */
function townScope(user: AuthUser): { townCode?: string } | undefined {
  const s = scopeOf(user);
  if (s.kind === 'city') return undefined;
  if (s.kind === 'town') return { townCode: s.townCode };
  throw new AppError('FORBIDDEN');
}

/** `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987). */
function attachment(reply: FastifyReply, name: string, ascii: string) {
  reply.header(
    'content-disposition',
    `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  );
  reply.header('cache-control', 'no-store');
}

export async function importExportRoutes(app: FastifyInstance, ctx: AppContext) {
  app.post(
    '/api/v1/imports/enterprises',
    {
      config: { policy: 'enterprise.import', upload: 'file' },
      schema: {
        tags,
        summary: '导入企业 Import enterprises (CSV/XLSX)',
        description:
          'multipart/form-data，文件字段 `file`：CSV（UTF-8 或 GB18030）或 XLSX。按统一社会信用代码新增或更新；每个被拒绝的行都在报告中说明原因。dryRun=true 只校验、不写入。\n\nUpload field `file` (CSV in UTF-8 or GB18030, or XLSX). Upserts by USCC; every rejected row is reported. dryRun=true checks and reports without writing.',
        querystring: ImportQuery,
        response: { 200: ImportReportSchema },
      },
    },
    async (req: FastifyRequest) => {
      const user = requireUser(req);
      const scope = townScope(user);
      const { dryRun } = req.query as Static<typeof ImportQuery>;
      if (!req.isMultipart()) throw missingFile();
      const part = await req.file();
      if (part?.fieldname !== 'file') {
        part?.file.resume();
        throw missingFile();
      }
      // Throws FST_REQ_FILE_TOO_LARGE (→ 413 PAYLOAD_TOO_LARGE) past the upload limit.
      const bytes = await part.toBuffer();
      if (bytes.length === 0)
        throw new AppError('UNSUPPORTED_FILE', { message: { zh: '文件为空', en: 'The file is empty' } });
      // Parsing runs in a worker thread under the IMPORT_MAX_* limits: a hostile workbook is
      // refused with 413 IMPORT_LIMIT_EXCEEDED while this server keeps answering.
      const report = await importEnterprises({
        ctx,
        actor: actorOf(req),
        source: bytes,
        dryRun: dryRun ?? false,
        scope,
        fileName: part.filename,
        sourceLabel: 'import',
      });
      req.log.info(
        {
          dryRun: report.dryRun,
          total: report.total,
          imported: report.imported,
          updated: report.updated,
          rejected: report.rejectedRows,
        },
        'enterprise import',
      );
      return report;
    },
  );

  app.get(
    '/api/v1/imports/enterprises/template.csv',
    {
      config: { policy: 'enterprise.import' },
      schema: {
        tags,
        summary: '导入模板（CSV）Import template (CSV)',
        response: fileResponse('text/csv', 'CSV, UTF-8 with BOM'),
      },
    },
    async (_req, reply) => {
      attachment(reply, '企业导入模板.csv', 'enterprise-import-template.csv');
      return reply.type(CSV_TYPE).send(templateCsv());
    },
  );

  app.get(
    '/api/v1/imports/enterprises/template.xlsx',
    {
      config: { policy: 'enterprise.import' },
      schema: {
        tags,
        summary: '导入模板（Excel）Import template (XLSX)',
        response: fileResponse(XLSX_TYPE, 'XLSX workbook'),
      },
    },
    async (_req, reply) => {
      attachment(reply, '企业导入模板.xlsx', 'enterprise-import-template.xlsx');
      return reply.type(XLSX_TYPE).send(await templateXlsx(ctx));
    },
  );

  const exportRoute = (format: 'csv' | 'xlsx') => async (req: FastifyRequest, reply: FastifyReply) => {
    const user = requireUser(req);
    const scope: EnterpriseFilter['scope'] = townScope(user);
    const filters = req.query as Static<typeof ExportQuery>;
    const day = todayInShanghai(ctx.clock.now());
    attachment(reply, `企业名录-${day}.${format}`, `enterprises-${day}.${format}`);
    const out = new PassThrough();
    const run = format === 'csv' ? exportEnterprisesCsv : exportEnterprisesXlsx;
    // Rows stream out page by page; a failure midway can only cut the download short (logged).
    run(ctx, { filters, scope, out }).catch((err: unknown) =>
      req.log.error({ err }, 'enterprise export failed'),
    );
    return reply.type(format === 'csv' ? CSV_TYPE : XLSX_TYPE).send(out);
  };

  app.get(
    '/api/v1/exports/enterprises.csv',
    {
      config: { policy: 'enterprise.export' },
      schema: {
        tags,
        summary: '导出企业（CSV）Export enterprises (CSV)',
        description:
          '检索条件同 GET /api/v1/enterprises；UTF-8 带 BOM，可直接用 Excel 打开，表头与导入相同。不含联系人信息。',
        querystring: ExportQuery,
        response: fileResponse('text/csv', 'CSV, UTF-8 with BOM, the headers the import reads'),
      },
    },
    exportRoute('csv'),
  );

  app.get(
    '/api/v1/exports/enterprises.xlsx',
    {
      config: { policy: 'enterprise.export' },
      schema: {
        tags,
        summary: '导出企业（Excel）Export enterprises (XLSX)',
        description: '检索条件同 GET /api/v1/enterprises；表头与导入相同。不含联系人信息。',
        querystring: ExportQuery,
        response: fileResponse(XLSX_TYPE, 'XLSX workbook, the headers the import reads'),
      },
    },
    exportRoute('xlsx'),
  );
}

function missingFile() {
  const message = { zh: '请上传文件（表单字段 file）', en: 'Upload a file in the form field "file"' };
  return new AppError('VALIDATION_FAILED', {
    message,
    fields: [{ field: 'file', code: 'REQUIRED', message }],
  });
}
