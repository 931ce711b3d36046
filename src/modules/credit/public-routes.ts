// Public credit disclosure and open data (no login). Response schemas are whitelists: a field that
// is not listed here cannot leave, whatever the presenter returns.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { csvCell } from '../../core/csv.js';
import { notFound } from '../../core/errors.js';
import type { AppContext } from '../../platform/context.js';
import { normalizeUscc } from '../registry/index.js';
import { BULK_COLUMNS, bulkPublishedRecords, publicBlacklist, publicCredit, verifyReport } from './public.js';
import { today } from './records.js';
import {
  fileResponse,
  OpenDataSchema,
  PublicBlacklistSchema,
  PublicCreditSchema,
  ReportCheckSchema,
} from './schemas.js';

const tags = ['public'];
const rateLimit = { max: 120, timeWindow: '1 minute' };

export async function publicCreditRoutes(app: FastifyInstance, ctx: AppContext) {
  const UsccParams = Type.Object({ uscc: Type.String({ minLength: 1, maxLength: 40 }) });
  app.get(
    '/api/v1/public/credit/:uscc',
    {
      config: { policy: 'public', rateLimit },
      schema: {
        tags,
        summary: '信用公示 Published credit information',
        params: UsccParams,
        response: { 200: PublicCreditSchema },
      },
    },
    async (req) => {
      const uscc = normalizeUscc((req.params as Static<typeof UsccParams>).uscc);
      const e = await ctx.db
        .selectFrom('enterprises')
        .select(['id', 'uscc', 'name'])
        .where('uscc', '=', uscc)
        .executeTakeFirst();
      if (!e) throw notFound({ zh: '企业', en: 'Enterprise' });
      return publicCredit(ctx, e, today(ctx));
    },
  );

  const BlacklistQuery = Type.Object(
    {
      q: Type.Optional(Type.String({ maxLength: 100 })),
      cursor: Type.Optional(Type.String({ maxLength: 40 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    },
    { additionalProperties: false },
  );
  app.get(
    '/api/v1/public/blacklist',
    {
      config: { policy: 'public', rateLimit },
      schema: {
        tags,
        summary: '严重违法失信名单公示 Published blacklist',
        querystring: BlacklistQuery,
        response: {
          200: PublicBlacklistSchema,
        },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof BlacklistQuery>;
      return publicBlacklist(ctx, { q: q.q, cursor: q.cursor, limit: q.limit ?? 20 }, today(ctx));
    },
  );

  app.get(
    '/api/v1/public/credit-records.json',
    {
      config: { policy: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: '开放数据: 公示信用记录 (JSON) Open data: published records',
        // Streamed as it is read, so this schema documents the document and serialises nothing.
        response: {
          200: {
            description: 'Every published record in force (attachment credit-records.json)',
            content: { 'application/json': { schema: OpenDataSchema } },
          },
        },
      },
    },
    async (_req, reply) => {
      const day = today(ctx);
      reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="credit-records.json"');
      async function* body() {
        yield `{"generatedOn":"${day}","columns":${JSON.stringify(BULK_COLUMNS.map(([k]) => k))},"items":[`;
        let first = true;
        for await (const page of bulkPublishedRecords(ctx.db, day)) {
          const chunk = page.map((r) => JSON.stringify(r)).join(',');
          yield (first ? '' : ',') + chunk;
          first = false;
        }
        yield ']}';
      }
      return reply.send(ReadableFrom(body()));
    },
  );

  app.get(
    '/api/v1/public/credit-records.csv',
    {
      config: { policy: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: '开放数据: 公示信用记录 (CSV) Open data: published records',
        response: {
          200: fileResponse(
            'Every published record in force, UTF-8 with BOM (attachment credit-records.csv)',
            ['text/csv'],
          ),
        },
      },
    },
    async (_req, reply) => {
      const day = today(ctx);
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="credit-records.csv"');
      async function* body() {
        yield `\uFEFF${BULK_COLUMNS.map(([, zh]) => zh).join(',')}\r\n`;
        for await (const page of bulkPublishedRecords(ctx.db, day)) {
          yield page.map((r) => BULK_COLUMNS.map(([k]) => csvCell(r[k])).join(',')).join('\r\n') + '\r\n';
        }
      }
      return reply.send(ReadableFrom(body()));
    },
  );

  const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) });
  app.get(
    '/api/v1/public/credit-reports/:id',
    {
      config: { policy: 'public', rateLimit },
      schema: {
        tags,
        summary: '信用报告核验 Verify a credit report',
        params: IdParams,
        response: { 200: ReportCheckSchema },
      },
    },
    async (req) => {
      const r = await verifyReport(ctx.db, (req.params as Static<typeof IdParams>).id);
      if (!r) throw notFound({ zh: '信用报告', en: 'Credit report' });
      return r;
    },
  );
}

const ReadableFrom = (gen: AsyncGenerator<string>) => Readable.from(gen, { objectMode: false });
