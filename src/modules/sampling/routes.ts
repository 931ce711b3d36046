// HTTP routes of the sampling module (contract: docs/sampling-api.md): plans, the draw, the
// inspector register and referrals, tasks and on-site sampling, files, lab results and the
// enterprise's own samples. Cases: case-routes.ts; statistics: stats-routes.ts; public: public.ts.
// Each handler: policy (route config) → validate (schema) → scope check → act → present.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, type TProperties, Type } from 'typebox';
import { AppError, notFound } from '../../core/errors.js';
import { actorOf, requireUser } from '../../platform/auth/plugin.js';
import { type AuthUser, can, scopeOf } from '../../platform/auth/policies.js';
import type { AppContext } from '../../platform/context.js';
import { findEnterpriseByUscc, normalizeUscc } from '../registry/index.js';
import { confirmDraw, getDraw, previewDraw, verifyDraw } from './draw-store.js';
import {
  canSeeTask,
  loadTask,
  PHOTO_MAX_BYTES,
  REPORT_MAX_BYTES,
  recordRefusal,
  recordSample,
  storeFile,
} from './fieldwork.js';
import {
  addReferral,
  inspectorCandidates,
  listInspectors,
  listReferrals,
  putInspector,
} from './inspectors.js';
import { ITEM_CLASSES, PLAN_KINDS, PLAN_LEVELS, PLAN_STATES, TASK_STATES } from './model.js';
import { amendPlan, createPlan, deleteDraft, getPlan, listPlans, publishPlan, updatePlan } from './plans.js';
import { labs } from './refs.js';
import { attachReport, enterResults, enterRetestResults, loadSample } from './results.js';
import {
  CandidateListSchema,
  DrawVerificationSchema,
  DrawViewSchema,
  EnterpriseSampleListSchema,
  fileResponse,
  InspectorListSchema,
  InspectorSchema as InspectorViewSchema,
  LabListSchema,
  LabSampleListSchema,
  PlanDeletedSchema,
  PlanListSchema,
  PlanViewSchema,
  ReferralListSchema,
  ReferralSchema as ReferralViewSchema,
  SAMPLING_FILE_TYPES,
  SampleDetailSchema,
  StoredFileSchema,
  TaskDetailSchema,
  TaskListSchema,
} from './schemas.js';
import { enterpriseSamples, labSamples, listTasks, planDetail, sampleDetail, taskDetail } from './views.js';

const tags = ['sampling'];
const Id = Type.String({ minLength: 1, maxLength: 40 });
const IdParams = Type.Object({ id: Id });
const Text = (max: number) => Type.String({ maxLength: max });
const DateStr = Type.String({ minLength: 10, maxLength: 10 });
const lit = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));
/** A request body object: a field it does not name is an error, not silently kept. */
const Body = <P extends TProperties>(properties: P) =>
  Type.Object(properties, { additionalProperties: false });

const CheckItemSchema = Body({
  key: Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9_-]+$' }),
  standardCode: Text(100),
  clause: Text(40),
  item: Text(200),
  requirement: Text(500),
  unit: Text(20),
  class: lit(ITEM_CLASSES),
});
const PlanBodySchema = Body({
  legalBasis: Text(1000),
  towns: Type.Array(Type.String({ maxLength: 20 }), { maxItems: 60 }),
  townQuotas: Type.Record(Type.String({ maxLength: 20 }), Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  budgetYuan: Type.Integer({ minimum: 0, maximum: 10_000_000_000 }),
  categories: Type.Array(
    Body({
      code: Type.String({ minLength: 1, maxLength: 20 }),
      checkItems: Type.Array(CheckItemSchema, { maxItems: 100 }),
      testUnits: Type.Integer({ minimum: 1, maximum: 1000 }),
      backupUnits: Type.Integer({ minimum: 0, maximum: 1000 }),
      labEnterpriseId: Type.String({ maxLength: 40 }),
      quota: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    }),
    { maxItems: 100 },
  ),
  amendmentNote: Type.Optional(Text(1000)),
});
const PlanEditSchema = Body({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  kind: lit(PLAN_KINDS),
  level: lit(PLAN_LEVELS),
  year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
  body: PlanBodySchema,
});
const PlanCreateSchema = Body({
  code: Type.String({ minLength: 1, maxLength: 40 }),
  year: Type.Integer({ minimum: 2000, maximum: 2100 }),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  kind: lit(PLAN_KINDS),
  level: lit(PLAN_LEVELS),
  body: PlanBodySchema,
});
const SeedSchema = Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 });
const ItemResults = Type.Array(
  Body({
    key: Type.String({ minLength: 1, maxLength: 20 }),
    measured: Text(200),
    verdict: lit(['pass', 'fail'] as const),
  }),
  { minItems: 1, maxItems: 100 },
);
const ResultsSchema = Body({ reportedOn: DateStr, items: ItemResults });

export async function samplingRoutes(app: FastifyInstance, ctx: AppContext) {
  const user = (req: FastifyRequest) => requireUser(req);

  // ---- plans ------------------------------------------------------------------------------------
  const planView = async (id: string) => {
    const plan = await getPlan(ctx.db, id);
    return { ...plan, ...(await planDetail(ctx.db, plan)) };
  };
  app.get(
    '/api/v1/sampling/plans',
    {
      config: { policy: 'sampling.read' },
      schema: {
        tags,
        summary: '抽查计划列表 Sampling plans',
        response: { 200: PlanListSchema },
        querystring: Type.Object({
          year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
          state: Type.Optional(lit(PLAN_STATES)),
        }),
      },
    },
    async (req) => {
      const q = req.query as { year?: number; state?: (typeof PLAN_STATES)[number] };
      return { items: await listPlans(ctx.db, q) };
    },
  );
  app.post(
    '/api/v1/sampling/plans',
    {
      config: { policy: 'sampling.plan' },
      schema: {
        tags,
        summary: '新建抽查计划 Create a plan',
        body: PlanCreateSchema,
        response: { 201: PlanViewSchema },
      },
    },
    async (req, reply) => {
      const plan = await createPlan(ctx, actorOf(req), req.body as Static<typeof PlanCreateSchema>);
      reply.code(201);
      return planView(plan.id);
    },
  );
  app.get(
    '/api/v1/sampling/plans/:id',
    {
      config: { policy: 'sampling.read' },
      schema: { tags, summary: '抽查计划 A plan', params: IdParams, response: { 200: PlanViewSchema } },
    },
    async (req) => planView((req.params as { id: string }).id),
  );
  app.put(
    '/api/v1/sampling/plans/:id',
    {
      config: { policy: 'sampling.plan' },
      schema: {
        tags,
        summary: '修改草稿 Edit a draft',
        params: IdParams,
        body: PlanEditSchema,
        response: { 200: PlanViewSchema },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      await updatePlan(ctx, actorOf(req), id, req.body as Static<typeof PlanEditSchema>);
      return planView(id);
    },
  );
  app.delete(
    '/api/v1/sampling/plans/:id',
    {
      config: { policy: 'sampling.plan' },
      schema: {
        tags,
        summary: '删除草稿 Delete a draft',
        params: IdParams,
        response: { 204: PlanDeletedSchema },
      },
    },
    async (req, reply) => {
      await deleteDraft(ctx, actorOf(req), (req.params as { id: string }).id);
      reply.code(204);
    },
  );
  app.post(
    '/api/v1/sampling/plans/:id/publish',
    {
      config: { policy: 'sampling.plan' },
      schema: { tags, summary: '发布计划 Publish', params: IdParams, response: { 200: PlanViewSchema } },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      await publishPlan(ctx, actorOf(req), id);
      return planView(id);
    },
  );
  app.post(
    '/api/v1/sampling/plans/:id/amend',
    {
      config: { policy: 'sampling.plan' },
      schema: {
        tags,
        summary: '修订计划（生成新版本） Amend',
        response: { 201: PlanViewSchema },
        params: IdParams,
        body: Body({ amendmentNote: Type.String({ minLength: 1, maxLength: 1000 }) }),
      },
    },
    async (req, reply) => {
      const plan = await amendPlan(
        ctx,
        actorOf(req),
        (req.params as { id: string }).id,
        (req.body as { amendmentNote: string }).amendmentNote,
      );
      reply.code(201);
      return planView(plan.id);
    },
  );
  app.get(
    '/api/v1/sampling/labs',
    {
      config: { policy: 'sampling.read' },
      schema: { tags, summary: '检验检测机构 Labs', response: { 200: LabListSchema } },
    },
    async () => ({ items: await labs(ctx.db) }),
  );

  // ---- the draw ---------------------------------------------------------------------------------
  app.get(
    '/api/v1/sampling/plans/:id/draw/preview',
    {
      config: { policy: 'sampling.draw' },
      schema: {
        tags,
        summary: '抽取预览（不保存） Preview a draw',
        response: { 200: DrawViewSchema },
        params: IdParams,
        querystring: Type.Object({ seed: SeedSchema }),
      },
    },
    async (req) => previewDraw(ctx, (req.params as { id: string }).id, (req.query as { seed: number }).seed),
  );
  app.post(
    '/api/v1/sampling/plans/:id/draw',
    {
      config: { policy: 'sampling.draw' },
      schema: {
        tags,
        summary: '确认抽取 Confirm the draw',
        response: { 201: DrawViewSchema },
        params: IdParams,
        body: Body({ seed: SeedSchema }),
      },
    },
    async (req, reply) => {
      const out = await confirmDraw(
        ctx,
        actorOf(req),
        (req.params as { id: string }).id,
        (req.body as { seed: number }).seed,
      );
      reply.code(201);
      return out;
    },
  );
  app.get(
    '/api/v1/sampling/plans/:id/draw',
    {
      config: { policy: 'sampling.read' },
      schema: {
        tags,
        summary: '抽取记录 The stored draw',
        params: IdParams,
        response: { 200: DrawViewSchema },
      },
    },
    async (req) => {
      const u = user(req);
      // Drawn enterprises are confidential until sampled: officials who draw or plan see the list.
      if (!can(u, 'sampling.draw') && !can(u, 'sampling.plan')) throw new AppError('FORBIDDEN');
      return getDraw(ctx.db, (req.params as { id: string }).id);
    },
  );
  app.post(
    '/api/v1/sampling/plans/:id/draw/verify',
    {
      config: { policy: 'sampling.draw' },
      schema: {
        tags,
        summary: '核验抽取 Verify the draw',
        params: IdParams,
        response: { 200: DrawVerificationSchema },
      },
    },
    async (req) => verifyDraw(ctx.db, (req.params as { id: string }).id),
  );

  // ---- inspectors and referrals -----------------------------------------------------------------
  app.get(
    '/api/v1/sampling/inspectors',
    {
      config: { policy: 'sampling.plan' },
      schema: { tags, summary: '检查人员名录 Inspectors', response: { 200: InspectorListSchema } },
    },
    async () => ({ items: await listInspectors(ctx.db) }),
  );
  app.get(
    '/api/v1/sampling/candidates',
    {
      config: { policy: 'sampling.plan' },
      schema: { tags, summary: '可列入名录的人员 Candidates', response: { 200: CandidateListSchema } },
    },
    async () => ({ items: await inspectorCandidates(ctx.db) }),
  );
  const InspectorSchema = Body({
    townCode: Type.Union([Type.String({ maxLength: 20 }), Type.Null()]),
    active: Type.Boolean(),
    conflicts: Type.Array(Body({ uscc: Type.String({ minLength: 1, maxLength: 40 }), reason: Text(200) }), {
      maxItems: 200,
    }),
  });
  app.put(
    '/api/v1/sampling/inspectors/:id',
    {
      config: { policy: 'sampling.plan' },
      schema: {
        tags,
        summary: '登记检查人员 Put an inspector',
        params: IdParams,
        body: InspectorSchema,
        response: { 200: InspectorViewSchema },
      },
    },
    async (req) =>
      putInspector(
        ctx,
        actorOf(req),
        (req.params as { id: string }).id,
        req.body as Static<typeof InspectorSchema>,
      ),
  );
  app.get(
    '/api/v1/sampling/referrals',
    {
      config: { policy: 'sampling.plan' },
      schema: {
        tags,
        summary: '投诉举报与移送 Referrals',
        response: { 200: ReferralListSchema },
        querystring: Type.Object({ open: Type.Optional(Type.Boolean()) }),
      },
    },
    async (req) => ({ items: await listReferrals(ctx.db, (req.query as { open?: boolean }).open ?? false) }),
  );
  const ReferralSchema = Body({
    uscc: Type.String({ minLength: 1, maxLength: 40 }),
    categoryCode: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    reason: lit(['complaint', 'referral'] as const),
    reference: Type.String({ minLength: 1, maxLength: 100 }),
    note: Type.Optional(Type.Union([Text(1000), Type.Null()])),
  });
  app.post(
    '/api/v1/sampling/referrals',
    {
      config: { policy: 'sampling.plan' },
      schema: {
        tags,
        summary: '登记投诉或移送 Add a referral',
        body: ReferralSchema,
        response: { 201: ReferralViewSchema },
      },
    },
    async (req, reply) => {
      const b = req.body as Static<typeof ReferralSchema>;
      reply.code(201);
      return addReferral(ctx, actorOf(req), {
        ...b,
        categoryCode: b.categoryCode ?? null,
        note: b.note ?? null,
      });
    },
  );

  // ---- tasks and on-site sampling --------------------------------------------------------------
  app.get(
    '/api/v1/sampling/tasks',
    {
      config: { policy: 'sampling.read' },
      schema: {
        tags,
        summary: '抽样任务 Tasks',
        response: { 200: TaskListSchema },
        querystring: Type.Object({
          mine: Type.Optional(Type.Boolean()),
          state: Type.Optional(lit(TASK_STATES)),
          planId: Type.Optional(Id),
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
      },
    },
    async (req) => {
      const u = user(req);
      const q = req.query as {
        mine?: boolean;
        state?: string;
        planId?: string;
        page?: number;
        pageSize?: number;
      };
      return listTasks(ctx.db, u, scopeOf(u), { ...q, page: q.page ?? 1, pageSize: q.pageSize ?? 50 });
    },
  );
  const visibleTask = async (req: FastifyRequest) => {
    const u = user(req);
    const t = await loadTask(ctx.db, (req.params as { id: string }).id);
    const sample = await ctx.db
      .selectFrom('sampling_samples')
      .select('lab_enterprise_id')
      .where('task_id', '=', t.id)
      .executeTakeFirst();
    if (!canSeeTask(u, { ...t, labId: sample?.lab_enterprise_id }))
      throw notFound({ zh: '抽样任务', en: 'Sampling task' });
    return { u, t };
  };
  app.get(
    '/api/v1/sampling/tasks/:id',
    {
      config: { policy: 'sampling.read' },
      schema: { tags, summary: '抽样任务 A task', params: IdParams, response: { 200: TaskDetailSchema } },
    },
    async (req) => {
      const { u, t } = await visibleTask(req);
      return taskDetail(ctx.db, u, t.id);
    },
  );
  const SampleSchema = Body({
    productName: Type.String({ minLength: 1, maxLength: 200 }),
    trademark: Type.String({ minLength: 1, maxLength: 100 }),
    model: Type.String({ minLength: 1, maxLength: 100 }),
    standardCode: Type.String({ minLength: 1, maxLength: 100 }),
    batch: Type.String({ minLength: 1, maxLength: 100 }),
    productionDate: Type.Optional(Type.Union([DateStr, Type.Null()])),
    testUnits: Type.Integer({ minimum: 1, maximum: 10_000 }),
    backupUnits: Type.Integer({ minimum: 0, maximum: 10_000 }),
    sealNumbers: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1, maxItems: 50 }),
    place: lit(['factory', 'market'] as const),
    sampledOn: DateStr,
    confirmation: Body({
      signer: Type.String({ minLength: 1, maxLength: 50 }),
      title: Type.Optional(Text(50)),
      confirmed: Type.Boolean(),
    }),
  });
  app.post(
    '/api/v1/sampling/tasks/:id/sample',
    {
      config: { policy: 'sampling.sample' },
      schema: {
        tags,
        summary: '现场抽样 Record the sample',
        params: IdParams,
        body: SampleSchema,
        response: { 201: SampleDetailSchema },
      },
    },
    async (req, reply) => {
      const u = user(req);
      const b = req.body as Static<typeof SampleSchema>;
      const { id } = await recordSample(ctx, u, actorOf(req), (req.params as { id: string }).id, {
        ...b,
        productionDate: b.productionDate ?? null,
      });
      reply.code(201);
      return sampleDetail(ctx.db, u, id);
    },
  );
  const RefusalSchema = Body({
    refusedOn: DateStr,
    note: Type.String({ minLength: 1, maxLength: 2000 }),
    witnesses: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { minItems: 1, maxItems: 10 }),
  });
  app.post(
    '/api/v1/sampling/tasks/:id/refusal',
    {
      config: { policy: 'sampling.sample' },
      schema: {
        tags,
        summary: '拒绝抽样记录 Record a refusal',
        params: IdParams,
        body: RefusalSchema,
        response: { 200: TaskDetailSchema },
      },
    },
    async (req) => {
      const u = user(req);
      const { id } = req.params as { id: string };
      await recordRefusal(ctx, u, actorOf(req), id, req.body as Static<typeof RefusalSchema>);
      return taskDetail(ctx.db, u, id);
    },
  );
  const readUpload = async (req: FastifyRequest, max: number) => {
    if (!req.isMultipart())
      throw new AppError('UNSUPPORTED_FILE', {
        message: {
          zh: '请以 multipart/form-data 上传文件(字段 file)',
          en: 'Upload the file as multipart/form-data (field "file")',
        },
      });
    const part = await req.file({ limits: { fileSize: max, files: 1 } });
    if (part?.fieldname !== 'file') {
      part?.file.resume();
      throw new AppError('UNSUPPORTED_FILE', {
        message: { zh: '缺少文件字段 file', en: 'The "file" field is missing' },
      });
    }
    const bytes = await part.toBuffer();
    if (bytes.length === 0)
      throw new AppError('UNSUPPORTED_FILE', { message: { zh: '文件为空', en: 'The file is empty' } });
    const filename =
      [...part.filename]
        .map((c) => (c === '/' || c === '\\' || c.charCodeAt(0) < 0x20 ? '_' : c))
        .join('')
        .slice(-120) || 'file';
    return { bytes, filename };
  };
  app.post(
    '/api/v1/sampling/tasks/:id/photos',
    {
      config: { policy: 'sampling.sample', upload: 'file', problems: [413] },
      schema: {
        tags,
        summary: '现场照片 Upload a photo',
        response: { 201: StoredFileSchema },
        description: 'multipart/form-data, field `file`: JPEG or PNG, at most 5 MB, 12 per task.',
        params: IdParams,
      },
    },
    async (req, reply) => {
      const u = user(req);
      const t = await loadTask(ctx.db, (req.params as { id: string }).id);
      if (!t.inspectorIds.includes(u.id) || !can(u, 'sampling.sample', { townCode: t.town_code }))
        throw new AppError('FORBIDDEN', {
          message: {
            zh: '只有该任务的检查人员可以上传现场照片',
            en: 'Only the task’s inspectors upload its photos',
          },
        });
      const { bytes, filename } = await readUpload(req, PHOTO_MAX_BYTES);
      reply.code(201);
      return storeFile(ctx, actorOf(req), t.id, 'photo', filename, bytes);
    },
  );
  app.get(
    '/api/v1/sampling/files/:id',
    {
      config: { policy: 'sampling.read' },
      schema: {
        tags,
        summary: '附件 A file',
        params: IdParams,
        response: {
          200: fileResponse('The file 附件: a photo (JPEG, PNG) or a report (PDF)', SAMPLING_FILE_TYPES),
        },
      },
    },
    async (req, reply) => {
      const u = user(req);
      const f = await ctx.db
        .selectFrom('sampling_files')
        .selectAll()
        .where('id', '=', (req.params as { id: string }).id)
        .executeTakeFirst();
      if (!f) throw notFound({ zh: '附件', en: 'File' });
      const t = await loadTask(ctx.db, f.task_id);
      const sample = await ctx.db
        .selectFrom('sampling_samples')
        .select('lab_enterprise_id')
        .where('task_id', '=', t.id)
        .executeTakeFirst();
      const enterpriseSees = f.kind !== 'photo';
      if (
        !canSeeTask(u, { ...t, labId: sample?.lab_enterprise_id }) ||
        (u.role === 'enterprise' && !enterpriseSees)
      )
        throw notFound({ zh: '附件', en: 'File' });
      reply
        .header('content-type', f.mime)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.filename)}`)
        .header('x-content-type-options', 'nosniff');
      return Buffer.from(f.content);
    },
  );

  // ---- lab --------------------------------------------------------------------------------------
  app.get(
    '/api/v1/sampling/lab/samples',
    {
      config: { policy: 'sampling.result' },
      schema: {
        tags,
        summary: '本机构承检样品 Samples sent to my lab',
        response: { 200: LabSampleListSchema },
        querystring: Type.Object({ state: Type.Optional(lit(['sentToLab', 'reported', 'final'] as const)) }),
      },
    },
    async (req) => {
      const u = user(req);
      if (!u.enterpriseId) throw new AppError('FORBIDDEN');
      return { items: await labSamples(ctx.db, u.enterpriseId, (req.query as { state?: string }).state) };
    },
  );
  app.get(
    '/api/v1/sampling/samples/:id',
    {
      config: { policy: 'authenticated' },
      schema: { tags, summary: '样品 A sample', params: IdParams, response: { 200: SampleDetailSchema } },
    },
    async (req) => {
      const u = user(req);
      const s = await loadSample(ctx.db, (req.params as { id: string }).id);
      const caseRow = await ctx.db
        .selectFrom('sampling_cases')
        .select('body')
        .where('sample_id', '=', s.id)
        .executeTakeFirst();
      const retestLab = caseRow
        ? (JSON.parse(caseRow.body) as { retest?: { labEnterpriseId?: string } }).retest?.labEnterpriseId
        : undefined;
      const sees =
        can(u, 'sampling.read', { townCode: s.town_code, enterpriseId: s.enterprise_id }) ||
        can(u, 'sampling.result', { enterpriseId: s.lab_enterprise_id }) ||
        (!!retestLab && can(u, 'sampling.result', { enterpriseId: retestLab }));
      if (!sees) throw notFound({ zh: '样品', en: 'Sample' });
      return sampleDetail(ctx.db, u, s.id);
    },
  );
  app.post(
    '/api/v1/sampling/samples/:id/results',
    {
      config: { policy: 'sampling.result' },
      schema: {
        tags,
        summary: '录入检验结果 Enter results',
        params: IdParams,
        body: ResultsSchema,
        response: { 200: SampleDetailSchema },
      },
    },
    async (req) => {
      const u = user(req);
      const { id } = req.params as { id: string };
      await enterResults(ctx, u, actorOf(req), id, req.body as Static<typeof ResultsSchema>);
      return sampleDetail(ctx.db, u, id);
    },
  );
  app.post(
    '/api/v1/sampling/samples/:id/retest-results',
    {
      config: { policy: 'sampling.result' },
      schema: {
        tags,
        summary: '录入复检结果 Enter re-test results',
        params: IdParams,
        body: ResultsSchema,
        response: { 200: SampleDetailSchema },
      },
    },
    async (req) => {
      const u = user(req);
      const { id } = req.params as { id: string };
      await enterRetestResults(ctx, u, actorOf(req), id, req.body as Static<typeof ResultsSchema>);
      return sampleDetail(ctx.db, u, id);
    },
  );
  app.post(
    '/api/v1/sampling/samples/:id/report',
    {
      config: { policy: 'sampling.result', upload: 'file', problems: [413] },
      schema: {
        tags,
        summary: '上传检验报告 Upload the report',
        response: { 201: StoredFileSchema },
        description: 'multipart/form-data, field `file`: PDF, at most 10 MB.',
        params: IdParams,
      },
    },
    async (req, reply) => {
      const u = user(req);
      const { sample, kind } = await attachReport(ctx, u, (req.params as { id: string }).id);
      const { bytes, filename } = await readUpload(req, REPORT_MAX_BYTES);
      reply.code(201);
      return storeFile(ctx, actorOf(req), sample.task_id, kind, filename, bytes);
    },
  );

  // ---- the enterprise's own ---------------------------------------------------------------------
  app.get(
    '/api/v1/sampling/samples',
    {
      config: { policy: 'sampling.read' },
      schema: {
        tags,
        summary: '企业的抽查样品 The samples of one enterprise (officials by scope)',
        querystring: Type.Object(
          { uscc: Type.String({ minLength: 1, maxLength: 40 }) },
          { additionalProperties: false },
        ),
        response: { 200: EnterpriseSampleListSchema },
      },
    },
    async (req) => {
      const u: AuthUser = user(req);
      const e = await findEnterpriseByUscc(ctx.db, normalizeUscc((req.query as { uscc: string }).uscc));
      if (!e || !can(u, 'sampling.read', { townCode: e.town_code, enterpriseId: e.id }))
        throw notFound({ zh: '企业', en: 'Enterprise' });
      return { items: await enterpriseSamples(ctx.db, e.id) };
    },
  );
  app.get(
    '/api/v1/sampling/mine/samples',
    {
      config: { policy: 'sampling.object' },
      schema: { tags, summary: '本企业的抽查 My samples', response: { 200: EnterpriseSampleListSchema } },
    },
    async (req) => {
      const u: AuthUser = user(req);
      if (!u.enterpriseId) throw new AppError('FORBIDDEN');
      return { items: await enterpriseSamples(ctx.db, u.enterpriseId) };
    },
  );
}
