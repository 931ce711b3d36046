// HTTP routes of the quality-credit module (contract: docs/credit-api.md). Each handler reads:
// policy (route config) → validate (schema) → scope check on the enterprise → act → present.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { AppError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { writeAudit } from '../../platform/audit.js';
import { actorOf, requireUser } from '../../platform/auth/plugin.js';
import { type AuthUser, can, scopeOf } from '../../platform/auth/policies.js';
import type { AppContext } from '../../platform/context.js';
import { normalizeUscc } from '../registry/index.js';
import { checkAsOf } from './as-of.js';
import { BLACKLIST_STATES, type BlacklistAction } from './blacklist.js';
import { actOnEntry, type MachineActor, proposeCandidate } from './blacklist-store.js';
import { checkEvidenceLimits } from './evidence.js';
import { computeGrade, gradeHistory, recordedGradeOn } from './grading.js';
import { actOnObjection, putReply, submitObjection } from './objection-store.js';
import { OBJECTION_STATES, type ObjectionAction } from './objections.js';
import { RECORD_TYPES } from './record-types.js';
import { addManualRecord, reverseRecord, today } from './records.js';
import { issueReport } from './report.js';
import { diffRuleSets } from './rule-diff.js';
import {
  createDraft,
  getRuleSet,
  listRuleSets,
  publishRuleSet,
  ruleSetStanding,
  updateDraft,
} from './rule-store.js';
import { validateRuleSet } from './rules.js';
import { runSandbox } from './sandbox.js';
import {
  ArchiveSchema,
  BlacklistListSchema,
  BlacklistViewSchema,
  DrawSchema,
  EvidenceUploadSchema,
  fileResponse,
  GradeAsOfSchema,
  MineSchema,
  ObjectionListSchema,
  ObjectionViewSchema,
  RecordAndGradeSchema,
  RecordListSchema,
  RecordTypesSchema,
  ReplySchema,
  RuleSetDetailSchema,
  RuleSetDiffSchema,
  RuleSetListSchema,
  RuleSetMetaSchema,
  RuleSetValidationSchema,
  SandboxSchema,
  StatsSchema,
  SupervisionPolicySchema,
} from './schemas.js';
import { creditStats, drawTargets, supervisionPolicy } from './supervision.js';
import { blacklistView, gradeView, objectionView, recordViews } from './views.js';

const tags = ['credit'];
const Id = Type.String({ minLength: 1, maxLength: 40 });
const DateStr = Type.String({ maxLength: 10 });
const UsccParams = Type.Object({ uscc: Type.String({ minLength: 1, maxLength: 40 }) });
const IdParams = Type.Object({ id: Id });
const RuleSetParams = Type.Object({ id: Id, version: Type.Integer({ minimum: 1 }) });
const Evidence = Type.Optional(Type.Array(Id, { maxItems: 20 }));
const Reasons = Type.String({ maxLength: 1000 });

/** A stored file name: no path separators or control characters, at most 120 characters. */
export function safeFilename(raw: string): string {
  const cleaned = [...raw].map((c) => (c === '/' || c === '\\' || c.charCodeAt(0) < 0x20 ? '_' : c)).join('');
  return cleaned.slice(-120) || 'evidence';
}

export const machineActor = (user: AuthUser): MachineActor => ({
  id: user.id,
  kind:
    user.role === 'enterprise' || user.role === 'lab' || user.role === 'maintenanceUnit'
      ? 'enterprise'
      : 'official',
});

const outOfScope = () =>
  new AppError('FORBIDDEN', {
    message: { zh: '该企业不在您的管辖范围内', en: 'This enterprise is outside your jurisdiction' },
  });

async function enterpriseFor(
  ctx: AppContext,
  user: AuthUser,
  where: { uscc?: string; id?: string },
  action: Parameters<typeof can>[1],
) {
  let q = ctx.db
    .selectFrom('enterprises as e')
    .leftJoin('towns as t', 't.code', 'e.town_code')
    .select(['e.id', 'e.uscc', 'e.name', 'e.town_code', 'e.industry_code', 't.name as town_name']);
  q =
    where.uscc !== undefined
      ? q.where('e.uscc', '=', normalizeUscc(where.uscc))
      : q.where('e.id', '=', where.id!);
  const e = await q.executeTakeFirst();
  if (!e) throw notFound({ zh: '企业', en: 'Enterprise' });
  if (!can(user, action, { townCode: e.town_code, enterpriseId: e.id })) throw outOfScope();
  return { ...e, townName: e.town_name ?? e.town_code };
}

async function recordFor(ctx: AppContext, user: AuthUser, id: string, action: Parameters<typeof can>[1]) {
  const r = await ctx.db.selectFrom('credit_records').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound({ zh: '信用记录', en: 'Credit record' });
  const e = await enterpriseFor(ctx, user, { id: r.enterprise_id }, action);
  return { record: r, enterprise: e };
}

async function evidenceMeta(ctx: AppContext, rows: { evidence: string }[]) {
  const ids = [...new Set(rows.flatMap((r) => JSON.parse(r.evidence) as string[]))];
  if (ids.length === 0)
    return new Map<string, { id: string; filename: string; size: number; mime: string }>();
  const found = await ctx.db
    .selectFrom('credit_evidence')
    .select(['id', 'filename', 'size', 'mime'])
    .where('id', 'in', ids)
    .execute();
  return new Map(found.map((f) => [f.id, f]));
}

export async function creditRoutes(app: FastifyInstance, ctx: AppContext) {
  /** The enterprise named by the route's :uscc, if the signed-in user may do `action` on it. */
  const usccEnterprise = (req: FastifyRequest, action: Parameters<typeof can>[1]) =>
    enterpriseFor(ctx, requireUser(req), { uscc: (req.params as Static<typeof UsccParams>).uscc }, action);
  /** A new record as the API shows it, with the enterprise's grade after it. */
  const recordAndGrade = async (record: Parameters<typeof recordViews>[1][number], enterpriseId: string) => {
    const { result, ruleSet } = await computeGrade(ctx.db, enterpriseId, today(ctx));
    return {
      record: (await recordViews(ctx.db, [record], today(ctx)))[0],
      grade: await gradeView(ctx.db, result, ruleSet),
    };
  };
  // ---- archive and grade ------------------------------------------------------------------------
  app.get(
    '/api/v1/credit/enterprises/:uscc',
    {
      config: { policy: 'credit.read' },
      schema: {
        tags,
        summary: '企业信用档案与等级 Archive and grade',
        params: UsccParams,
        response: { 200: ArchiveSchema },
      },
    },
    async (req) => {
      const e = await usccEnterprise(req, 'credit.read');
      const day = today(ctx);
      const { result, ruleSet, flags } = await computeGrade(ctx.db, e.id, day);
      const [grade, history, pending] = await Promise.all([
        gradeView(ctx.db, result, ruleSet),
        gradeHistory(ctx.db, e.id),
        ctx.db
          .selectFrom('credit_objections')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('enterprise_id', '=', e.id)
          .where('state', 'in', ['submitted', 'underReview'])
          .executeTakeFirst(),
      ]);
      return {
        enterprise: {
          id: e.id,
          uscc: e.uscc,
          name: e.name,
          townCode: e.town_code,
          townName: e.townName,
          industryCode: e.industry_code,
        },
        grade,
        history: history.map((h) => ({
          validFrom: h.valid_from,
          grade: h.grade,
          score: h.score,
          ruleSetId: h.rule_set_id,
          ruleSetVersion: h.rule_set_version,
        })),
        flags,
        pendingObjections: Number(pending?.n ?? 0),
      };
    },
  );

  app.get(
    '/api/v1/credit/mine',
    {
      config: { policy: 'credit.object' },
      schema: { tags, summary: '本企业 My enterprise', response: { 200: MineSchema } },
    },
    async (req) => {
      const user = requireUser(req);
      const scope = scopeOf(user);
      if (scope.kind !== 'enterprise') throw new AppError('FORBIDDEN');
      const e = await enterpriseFor(ctx, user, { id: scope.enterpriseId }, 'credit.read');
      return { uscc: e.uscc, name: e.name };
    },
  );

  const AsOfQuery = Type.Object({ asOf: Type.Optional(DateStr) }, { additionalProperties: false });
  app.get(
    '/api/v1/credit/enterprises/:uscc/grade',
    {
      config: { policy: 'credit.read' },
      schema: {
        tags,
        summary: '某日的等级 Grade as of a date',
        params: UsccParams,
        querystring: AsOfQuery,
        response: { 200: GradeAsOfSchema },
      },
    },
    async (req) => {
      const e = await usccEnterprise(req, 'credit.read');
      const asOf = (req.query as Static<typeof AsOfQuery>).asOf ?? today(ctx);
      await checkAsOf(ctx.db, 'asOf', asOf, today(ctx));
      const { result, ruleSet } = await computeGrade(ctx.db, e.id, asOf);
      const recorded = await recordedGradeOn(ctx.db, e.id, asOf);
      return {
        ...(await gradeView(ctx.db, result, ruleSet)),
        recorded: recorded ? { grade: recorded.grade, score: recorded.score } : null,
      };
    },
  );

  app.get(
    '/api/v1/credit/enterprises/:uscc/records',
    {
      config: { policy: 'credit.read' },
      schema: {
        tags,
        summary: '信用记录 Credit records',
        params: UsccParams,
        response: { 200: RecordListSchema },
      },
    },
    async (req) => {
      const e = await usccEnterprise(req, 'credit.read');
      const rows = await ctx.db
        .selectFrom('credit_records')
        .selectAll()
        .where('enterprise_id', '=', e.id)
        .execute();
      return { items: await recordViews(ctx.db, rows, today(ctx)) };
    },
  );

  app.get(
    '/api/v1/credit/record-types',
    // Readable by everyone who reads archives: the labels of the fields records carry.
    {
      config: { policy: 'credit.read' },
      schema: { tags, summary: '信用记录类型与字段 Record types', response: { 200: RecordTypesSchema } },
    },
    async () => ({ items: RECORD_TYPES }),
  );

  const RecordBody = Type.Object(
    {
      type: Type.String({ maxLength: 60 }),
      occurredOn: DateStr,
      details: Type.Record(
        Type.String({ maxLength: 40 }),
        Type.Union([Type.String({ maxLength: 200 }), Type.Number()]),
        {
          maxProperties: 10,
        },
      ),
      note: Type.Optional(Type.String({ maxLength: 500 })),
      evidenceIds: Evidence,
    },
    { additionalProperties: false },
  );
  app.post(
    '/api/v1/credit/enterprises/:uscc/records',
    {
      config: { policy: 'credit.record' },
      schema: {
        tags,
        summary: '录入信用记录 Enter a record',
        params: UsccParams,
        body: RecordBody,
        response: { 201: RecordAndGradeSchema },
      },
    },
    async (req, reply) => {
      const e = await usccEnterprise(req, 'credit.record');
      const body = req.body as Static<typeof RecordBody>;
      const { record } = await addManualRecord(ctx, actorOf(req), e, body);
      reply.code(201);
      return recordAndGrade(record, e.id);
    },
  );

  const ReasonsBody = Type.Object({ reasons: Reasons }, { additionalProperties: false });
  app.post(
    '/api/v1/credit/records/:id/reversal',
    {
      config: { policy: 'credit.review' },
      schema: {
        tags,
        summary: '更正(撤销)记录 Reverse a record',
        params: IdParams,
        body: ReasonsBody,
        response: { 201: RecordAndGradeSchema },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const { enterprise } = await recordFor(
        ctx,
        user,
        (req.params as Static<typeof IdParams>).id,
        'credit.review',
      );
      const { reasons } = req.body as Static<typeof ReasonsBody>;
      const { record } = await ctx.db.transaction().execute((trx) =>
        reverseRecord(trx, ctx, actorOf(req), {
          recordId: (req.params as Static<typeof IdParams>).id,
          reasons,
        }),
      );
      reply.code(201);
      return recordAndGrade(record, enterprise.id);
    },
  );

  // ---- evidence --------------------------------------------------------------------------------
  const EVIDENCE_TYPES: { ext: RegExp; mime: string; magic?: (b: Buffer) => boolean }[] = [
    {
      ext: /\.pdf$/i,
      mime: 'application/pdf',
      magic: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
    },
    { ext: /\.jpe?g$/i, mime: 'image/jpeg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 },
    { ext: /\.png$/i, mime: 'image/png', magic: (b) => b.subarray(1, 4).toString('latin1') === 'PNG' },
    { ext: /\.ofd$/i, mime: 'application/ofd', magic: (b) => b[0] === 0x50 && b[1] === 0x4b },
    {
      ext: /\.docx$/i,
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      magic: (b) => b[0] === 0x50 && b[1] === 0x4b,
    },
    {
      ext: /\.xlsx$/i,
      mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      magic: (b) => b[0] === 0x50 && b[1] === 0x4b,
    },
  ];
  const EVIDENCE_MAX = 10 * 1024 * 1024;
  const unsupported = (zh: string, en: string) => new AppError('UNSUPPORTED_FILE', { message: { zh, en } });
  app.post(
    '/api/v1/credit/evidence',
    {
      config: { policy: 'authenticated', upload: 'file', problems: [429] },
      schema: {
        tags,
        summary: '上传证明材料 Upload evidence',
        description: 'multipart/form-data, field `file`: PDF, JPG, PNG, OFD, DOCX or XLSX, at most 10 MB.',
        response: { 201: EvidenceUploadSchema },
      },
    },
    async (req: FastifyRequest, reply) => {
      const user = requireUser(req);
      if (!can(user, 'credit.record') && !can(user, 'credit.object') && !can(user, 'credit.review'))
        throw new AppError('FORBIDDEN');
      if (!req.isMultipart())
        throw unsupported(
          '请以 multipart/form-data 上传文件(字段 file)',
          'Upload the file as multipart/form-data (field "file")',
        );
      const part = await req.file({ limits: { fileSize: EVIDENCE_MAX } });
      if (part?.fieldname !== 'file') {
        part?.file.resume();
        throw unsupported('缺少文件字段 file', 'The "file" field is missing');
      }
      const bytes = await part.toBuffer();
      if (bytes.length === 0) throw unsupported('文件为空', 'The file is empty');
      const filename = safeFilename(part.filename);
      const kind = EVIDENCE_TYPES.find((t) => t.ext.test(filename));
      if (!kind || (kind.magic && !kind.magic(bytes)))
        throw unsupported(
          '证明材料只接受 PDF、JPG、PNG、OFD、DOCX、XLSX 文件, 且内容须与扩展名一致',
          'Evidence must be a PDF, JPG, PNG, OFD, DOCX or XLSX file whose content matches its extension',
        );
      const scope = scopeOf(user);
      await checkEvidenceLimits(ctx.db, ctx.clock.now(), {
        uploadedBy: actorOf(req).label,
        enterpriseId: scope.kind === 'enterprise' ? scope.enterpriseId : null,
        size: bytes.length,
      });
      const row = {
        id: newId(),
        enterprise_id: scope.kind === 'enterprise' ? scope.enterpriseId : null,
        filename,
        mime: kind.mime,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        content: bytes,
        uploaded_by: actorOf(req).label,
        uploaded_by_enterprise: scope.kind === 'enterprise' ? scope.enterpriseId : null,
        uploaded_at: ctx.clock.now().toISOString(),
        attached_at: null,
      };
      await ctx.db.transaction().execute(async (trx) => {
        await trx.insertInto('credit_evidence').values(row).execute();
        await writeAudit(trx, {
          actor: actorOf(req),
          action: 'creditEvidence.upload',
          resourceType: 'creditEvidence',
          resourceId: row.id,
          enterpriseId: row.enterprise_id,
          after: { filename, size: row.size, sha256: row.sha256 },
          at: ctx.clock.now(),
        });
      });
      reply.code(201);
      return { id: row.id, filename, size: row.size, mime: row.mime, sha256: row.sha256 };
    },
  );

  app.get(
    '/api/v1/credit/evidence/:id',
    {
      config: { policy: 'authenticated' },
      schema: {
        tags,
        summary: '下载证明材料 Download evidence',
        params: IdParams,
        response: {
          200: fileResponse(
            'The file as uploaded 证明材料原文件',
            EVIDENCE_TYPES.map((t) => t.mime),
          ),
        },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const ev = await ctx.db
        .selectFrom('credit_evidence')
        .selectAll()
        .where('id', '=', (req.params as Static<typeof IdParams>).id)
        .executeTakeFirst();
      if (!ev) throw notFound({ zh: '证明材料', en: 'Evidence' });
      if (ev.enterprise_id) await enterpriseFor(ctx, user, { id: ev.enterprise_id }, 'credit.read');
      else if (ev.uploaded_by !== actorOf(req).label) throw new AppError('FORBIDDEN');
      reply
        .type(ev.mime)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(ev.filename)}`)
        .header('x-content-type-options', 'nosniff');
      return Buffer.from(ev.content);
    },
  );

  app.get(
    '/api/v1/credit/enterprises/:uscc/report.pdf',
    {
      config: { policy: 'credit.read' },
      schema: {
        tags,
        summary: '信用报告(PDF) Credit report',
        params: UsccParams,
        response: { 200: fileResponse('The credit report 信用报告 (PDF)', ['application/pdf']) },
      },
    },
    async (req, reply) => {
      const e = await usccEnterprise(req, 'credit.read');
      const { id, pdf } = await issueReport(ctx, actorOf(req), e);
      reply
        .type('application/pdf')
        .header(
          'content-disposition',
          `attachment; filename*=UTF-8''${encodeURIComponent(`质量信用报告-${e.uscc}-${id.slice(-6)}.pdf`)}`,
        );
      return pdf;
    },
  );

  // ---- objections and replies -----------------------------------------------------------------
  const ObjectionBody = Type.Object(
    { grounds: Type.String({ minLength: 1, maxLength: 2000 }), evidenceIds: Evidence },
    { additionalProperties: false },
  );
  const presentObjection = async (user: AuthUser, id: string) => {
    const row = await ctx.db
      .selectFrom('credit_objections')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const [e, r] = await Promise.all([
      ctx.db
        .selectFrom('enterprises')
        .select(['uscc', 'name'])
        .where('id', '=', row.enterprise_id)
        .executeTakeFirstOrThrow(),
      ctx.db
        .selectFrom('credit_records')
        .select('summary')
        .where('id', '=', row.record_id)
        .executeTakeFirstOrThrow(),
    ]);
    return objectionView(row, e, r.summary, user, today(ctx), await evidenceMeta(ctx, [row]), ctx.calendar);
  };
  app.post(
    '/api/v1/credit/records/:id/objections',
    {
      config: { policy: 'credit.object' },
      schema: {
        tags,
        summary: '对记录提出异议 Object to a record',
        params: IdParams,
        body: ObjectionBody,
        response: { 201: ObjectionViewSchema },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const { id } = req.params as Static<typeof IdParams>;
      await recordFor(ctx, user, id, 'credit.object');
      const o = await submitObjection(ctx, actorOf(req), id, req.body as Static<typeof ObjectionBody>);
      reply.code(201);
      return presentObjection(user, o.id);
    },
  );

  const ObjectionQuery = Type.Object(
    {
      state: Type.Optional(Type.Union(OBJECTION_STATES.map((s) => Type.Literal(s)))),
      uscc: Type.Optional(Type.String({ maxLength: 40 })),
    },
    { additionalProperties: false },
  );
  app.get(
    '/api/v1/credit/objections',
    {
      config: { policy: 'credit.read' },
      schema: {
        tags,
        summary: '异议列表 Objections',
        querystring: ObjectionQuery,
        response: { 200: ObjectionListSchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const q = req.query as Static<typeof ObjectionQuery>;
      let query = ctx.db
        .selectFrom('credit_objections as o')
        .innerJoin('enterprises as e', 'e.id', 'o.enterprise_id')
        .innerJoin('credit_records as r', 'r.id', 'o.record_id')
        .selectAll('o')
        .select(['e.uscc', 'e.name', 'r.summary'])
        .orderBy('o.created_at', 'desc')
        .limit(500);
      const scope = scopeOf(user);
      if (scope.kind === 'town') query = query.where('e.town_code', '=', scope.townCode);
      if (scope.kind === 'enterprise') query = query.where('o.enterprise_id', '=', scope.enterpriseId);
      if (q.state) query = query.where('o.state', '=', q.state);
      if (q.uscc) query = query.where('e.uscc', '=', normalizeUscc(q.uscc));
      const rows = await query.execute();
      const evidence = await evidenceMeta(ctx, rows);
      return {
        items: rows.map((r) =>
          objectionView(
            r,
            { uscc: r.uscc, name: r.name },
            r.summary,
            user,
            today(ctx),
            evidence,
            ctx.calendar,
          ),
        ),
      };
    },
  );

  const ObjectionActionBody = Type.Object(
    {
      type: Type.Union([
        Type.Literal('startReview'),
        Type.Literal('uphold'),
        Type.Literal('reject'),
        Type.Literal('withdraw'),
      ]),
      reasons: Type.Optional(Reasons),
    },
    { additionalProperties: false },
  );
  app.post(
    '/api/v1/credit/objections/:id/actions',
    {
      config: { policy: 'credit.read' },
      schema: {
        tags,
        summary: '处理异议 Act on an objection',
        params: IdParams,
        body: ObjectionActionBody,
        response: { 200: ObjectionViewSchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { id } = req.params as Static<typeof IdParams>;
      const row = await ctx.db
        .selectFrom('credit_objections')
        .select(['enterprise_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound({ zh: '异议', en: 'Objection' });
      const body = req.body as Static<typeof ObjectionActionBody>;
      await enterpriseFor(
        ctx,
        user,
        { id: row.enterprise_id },
        body.type === 'withdraw' ? 'credit.object' : 'credit.review',
      );
      const action = (
        body.type === 'uphold' || body.type === 'reject'
          ? { type: body.type, reasons: body.reasons ?? '' }
          : { type: body.type }
      ) as ObjectionAction;
      await actOnObjection(ctx, actorOf(req), machineActor(user), id, action);
      return presentObjection(user, id);
    },
  );

  const ReplyBody = Type.Object({ text: Type.String({ maxLength: 2000 }) }, { additionalProperties: false });
  app.put(
    '/api/v1/credit/records/:id/reply',
    {
      config: { policy: 'credit.object' },
      schema: {
        tags,
        summary: '企业回应 Reply beside a record',
        params: IdParams,
        body: ReplyBody,
        response: { 200: ReplySchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { id } = req.params as Static<typeof IdParams>;
      const { enterprise } = await recordFor(ctx, user, id, 'credit.object');
      const r = await putReply(
        ctx,
        actorOf(req),
        id,
        enterprise.id,
        (req.body as Static<typeof ReplyBody>).text,
      );
      return { text: r.text, postedOn: r.postedOn };
    },
  );

  // ---- blacklist -------------------------------------------------------------------------------
  const BlacklistQuery = Type.Object(
    {
      state: Type.Optional(Type.Union(BLACKLIST_STATES.map((s) => Type.Literal(s)))),
      q: Type.Optional(Type.String({ maxLength: 60 })),
    },
    { additionalProperties: false },
  );
  const entries = () =>
    ctx.db
      .selectFrom('credit_blacklist as b')
      .innerJoin('enterprises as e', 'e.id', 'b.enterprise_id')
      .leftJoin('towns as t', 't.code', 'e.town_code')
      .selectAll('b')
      .select(['e.uscc', 'e.name', 't.name as town_name']);
  const presentEntry = async (user: AuthUser, id: string) => {
    const row = await entries().where('b.id', '=', id).executeTakeFirstOrThrow();
    return blacklistView(
      row,
      { uscc: row.uscc, name: row.name, townName: row.town_name ?? '' },
      user,
      today(ctx),
    );
  };
  app.get(
    '/api/v1/credit/blacklist',
    {
      config: { policy: 'credit.read' },
      schema: {
        tags,
        summary: '严重违法失信名单 Blacklist queue',
        querystring: BlacklistQuery,
        response: { 200: BlacklistListSchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const q = req.query as Static<typeof BlacklistQuery>;
      let query = entries().orderBy('b.updated_at', 'desc').limit(500);
      const scope = scopeOf(user);
      if (scope.kind === 'town') query = query.where('e.town_code', '=', scope.townCode);
      if (scope.kind === 'enterprise') query = query.where('b.enterprise_id', '=', scope.enterpriseId);
      if (q.state) query = query.where('b.state', '=', q.state);
      const text = q.q?.trim();
      if (text)
        query = query.where((eb) =>
          eb.or([
            eb('e.name', 'like', `%${text.replace(/[%_\\]/g, '')}%`),
            eb('e.uscc', '=', text.toUpperCase()),
          ]),
        );
      const rows = await query.execute();
      return {
        items: rows.map((r) =>
          blacklistView(r, { uscc: r.uscc, name: r.name, townName: r.town_name ?? '' }, user, today(ctx)),
        ),
      };
    },
  );

  const ProposeBody = Type.Object(
    {
      uscc: Type.String({ minLength: 1, maxLength: 40 }),
      penalty: Type.Object(
        {
          decisionNo: Type.String({ minLength: 1, maxLength: 80 }),
          decidedOn: DateStr,
          restrictionEndsOn: Type.Optional(Type.Union([DateStr, Type.Null()])),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  );
  app.post(
    '/api/v1/credit/blacklist',
    {
      config: { policy: 'credit.review' },
      schema: {
        tags,
        summary: '拟列入名单 Propose a candidate',
        body: ProposeBody,
        response: { 201: BlacklistViewSchema },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const body = req.body as Static<typeof ProposeBody>;
      const e = await enterpriseFor(ctx, user, { uscc: body.uscc }, 'credit.review');
      // JSON null may arrive coerced to '' by the schema layer: both mean "no longer restriction".
      const entry = await proposeCandidate(ctx, actorOf(req), e.id, {
        ...body.penalty,
        restrictionEndsOn: body.penalty.restrictionEndsOn || null,
      });
      reply.code(201);
      return presentEntry(user, entry.id);
    },
  );

  const Conditions = Type.Object(
    {
      obligationsFulfilled: Type.Boolean(),
      harmRemoved: Type.Boolean(),
      noNewHeavierPenalty: Type.Boolean(),
      pledgeSigned: Type.Boolean(),
      evidenceSubmitted: Type.Boolean(),
    },
    { additionalProperties: false },
  );
  const BlacklistActionBody = Type.Union([
    Type.Object({ type: Type.Literal('notify') }, { additionalProperties: false }),
    Type.Object(
      { type: Type.Literal('list'), statementHeard: Type.Boolean() },
      { additionalProperties: false },
    ),
    Type.Object({ type: Type.Literal('publish') }, { additionalProperties: false }),
    Type.Object(
      {
        type: Type.Literal('applyRemoval'),
        conditions: Conditions,
        evidenceIds: Type.Array(Id, { maxItems: 20 }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      { type: Type.Literal('decideRemoval'), approved: Type.Boolean(), reasons: Reasons },
      { additionalProperties: false },
    ),
    Type.Object({ type: Type.Literal('expire') }, { additionalProperties: false }),
    Type.Object(
      { type: Type.Literal('withdraw'), penaltyRevokedBy: Type.String({ minLength: 1, maxLength: 200 }) },
      { additionalProperties: false },
    ),
  ]);
  app.post(
    '/api/v1/credit/blacklist/:id/actions',
    {
      config: { policy: 'credit.read' },
      schema: {
        tags,
        summary: '名单流转 Act on a blacklist entry',
        params: IdParams,
        body: BlacklistActionBody,
        response: { 200: BlacklistViewSchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { id } = req.params as Static<typeof IdParams>;
      const row = await ctx.db
        .selectFrom('credit_blacklist')
        .select(['enterprise_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound({ zh: '名单记录', en: 'Blacklist entry' });
      const action = req.body as BlacklistAction;
      await enterpriseFor(
        ctx,
        user,
        { id: row.enterprise_id },
        action.type === 'applyRemoval' ? 'credit.object' : 'credit.review',
      );
      await actOnEntry(ctx, actorOf(req), machineActor(user), id, action);
      return presentEntry(user, id);
    },
  );

  // ---- rule sets and sandbox ---------------------------------------------------------------------
  app.get(
    '/api/v1/credit/rule-sets',
    {
      config: { policy: 'credit.rules' },
      schema: { tags, summary: '规则集 Rule sets', response: { 200: RuleSetListSchema } },
    },
    async () => ({ items: await listRuleSets(ctx, today(ctx)) }),
  );
  const DiffQuery = Type.Object(
    { from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) },
    { additionalProperties: false },
  );
  app.get(
    '/api/v1/credit/rule-sets/:id/diff',
    {
      config: { policy: 'credit.rules' },
      schema: {
        tags,
        summary: '版本比较 Changes between two versions',
        params: IdParams,
        querystring: DiffQuery,
        response: { 200: RuleSetDiffSchema },
      },
    },
    async (req) => {
      const { id } = req.params as Static<typeof IdParams>;
      const q = req.query as Static<typeof DiffQuery>;
      const [from, to] = [await getRuleSet(ctx, id, q.from), await getRuleSet(ctx, id, q.to)];
      const side = (m: typeof from.meta) => ({
        version: m.version,
        status: m.status,
        effectiveFrom: m.effectiveFrom,
      });
      return { id, from: side(from.meta), to: side(to.meta), changes: diffRuleSets(from.body, to.body) };
    },
  );
  app.get(
    '/api/v1/credit/rule-sets/:id/:version',
    {
      config: { policy: 'credit.rules' },
      schema: {
        tags,
        summary: '规则集详情 One rule set',
        params: RuleSetParams,
        response: { 200: RuleSetDetailSchema },
      },
    },
    async (req) => {
      const { id, version } = req.params as Static<typeof RuleSetParams>;
      const { meta, body } = await getRuleSet(ctx, id, version);
      return { ...meta, ...(await ruleSetStanding(ctx, meta, today(ctx))), body };
    },
  );
  const BodyOnly = Type.Object({ body: Type.Unknown() }, { additionalProperties: false });
  app.post(
    '/api/v1/credit/rule-sets/validate',
    {
      config: { policy: 'credit.rules' },
      schema: {
        tags,
        summary: '校验规则集 Validate',
        body: BodyOnly,
        response: { 200: RuleSetValidationSchema },
      },
    },
    async (req) => {
      const result = validateRuleSet((req.body as Static<typeof BodyOnly>).body);
      if (!result.ok) return { ok: false, errors: result.errors, warnings: [] };
      // Valid, but publication will also need a date from today on (records keep their rule set).
      const warnings =
        result.value.effectiveFrom < today(ctx)
          ? [
              {
                path: '/effectiveFrom',
                message: {
                  zh: `生效日期 ${result.value.effectiveFrom} 早于今天, 发布前须改为今天或以后`,
                  en: `effectiveFrom ${result.value.effectiveFrom} is in the past; publication needs today or later`,
                },
              },
            ]
          : [];
      return { ok: true, errors: [], warnings };
    },
  );
  app.post(
    '/api/v1/credit/rule-sets',
    {
      config: { policy: 'credit.rules' },
      schema: { tags, summary: '新建草稿 New draft', body: BodyOnly, response: { 201: RuleSetMetaSchema } },
    },
    async (req, reply) => {
      reply.code(201);
      return createDraft(ctx, actorOf(req), (req.body as Static<typeof BodyOnly>).body);
    },
  );
  app.put(
    '/api/v1/credit/rule-sets/:id/:version',
    {
      config: { policy: 'credit.rules' },
      schema: {
        tags,
        summary: '保存草稿 Save draft',
        params: RuleSetParams,
        body: BodyOnly,
        response: { 200: RuleSetMetaSchema },
      },
    },
    async (req) => {
      const { id, version } = req.params as Static<typeof RuleSetParams>;
      return updateDraft(ctx, actorOf(req), id, version, (req.body as Static<typeof BodyOnly>).body);
    },
  );
  app.post(
    '/api/v1/credit/rule-sets/:id/:version/publish',
    {
      config: { policy: 'credit.rules.publish' },
      schema: { tags, summary: '发布 Publish', params: RuleSetParams, response: { 200: RuleSetMetaSchema } },
    },
    async (req) => {
      const { id, version } = req.params as Static<typeof RuleSetParams>;
      return publishRuleSet(ctx, actorOf(req), id, version, today(ctx));
    },
  );
  const SandboxBody = Type.Object({ asOf: Type.Optional(DateStr) }, { additionalProperties: false });
  app.post(
    '/api/v1/credit/rule-sets/:id/:version/sandbox',
    {
      config: { policy: 'credit.rules' },
      schema: {
        tags,
        summary: '政策沙盘 Sandbox',
        params: RuleSetParams,
        body: Type.Optional(SandboxBody),
        response: { 200: SandboxSchema },
      },
    },
    async (req) => {
      const { id, version } = req.params as Static<typeof RuleSetParams>;
      const asOf = (req.body as Static<typeof SandboxBody> | undefined)?.asOf ?? today(ctx);
      await checkAsOf(ctx.db, 'asOf', asOf, today(ctx));
      const { body } = await getRuleSet(ctx, id, version);
      // A draft saved before the bounds on dates and periods is refused with its errors, not run.
      const check = validateRuleSet(body);
      if (!check.ok)
        throw new AppError('VALIDATION_FAILED', {
          message: { zh: '规则集未通过校验', en: 'The rule set failed validation' },
          fields: check.errors.map((e) => ({
            field: e.path || '/',
            code: 'RULE_SET_INVALID',
            message: e.message,
          })),
        });
      return runSandbox(ctx.db, body, asOf);
    },
  );

  // ---- statistics and supervision ----------------------------------------------------------------
  app.get(
    '/api/v1/credit/stats',
    {
      config: { policy: 'stats.read' },
      schema: { tags, summary: '信用等级分布 Grade distribution', response: { 200: StatsSchema } },
    },
    async (req) => {
      const user = requireUser(req);
      const scope = scopeOf(user);
      return creditStats(ctx.db, today(ctx), scope.kind === 'town' ? scope.townCode : null, ctx.calendar);
    },
  );
  app.get(
    '/api/v1/credit/supervision/policy',
    {
      config: { policy: 'credit.read' },
      schema: {
        tags,
        summary: '分级分类监管策略 Supervision policy',
        response: { 200: SupervisionPolicySchema },
      },
    },
    async () => supervisionPolicy(ctx.db, today(ctx)),
  );
  const DrawQuery = Type.Object(
    {
      purpose: Type.Optional(Type.Union([Type.Literal('sampling'), Type.Literal('onSite')])),
      townCode: Type.Optional(Type.String({ maxLength: 20 })),
      industry: Type.Optional(Type.String({ maxLength: 2 })),
      seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 })),
    },
    { additionalProperties: false },
  );
  app.get(
    '/api/v1/credit/supervision/draw',
    {
      config: { policy: 'credit.review' },
      schema: {
        tags,
        summary: '按信用等级抽取检查对象 Draw targets',
        querystring: DrawQuery,
        response: { 200: DrawSchema },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof DrawQuery>;
      return drawTargets(ctx.db, today(ctx), {
        purpose: q.purpose ?? 'sampling',
        townCode: q.townCode,
        industrySection: q.industry,
        seed: q.seed ?? Number(today(ctx).replaceAll('-', '')),
      });
    },
  );
}
