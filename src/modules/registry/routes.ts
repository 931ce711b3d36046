// HTTP routes of the registry: reference data, the register, history, timeline, statistics and
// the public look-up. Handlers read: policy (route config) → validate (schema) → act → present.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { AppError, notFound } from '../../core/errors.js';
import { actorOf, assertCan, requireUser } from '../../platform/auth/plugin.js';
import { type AuthUser, can, scopeOf } from '../../platform/auth/policies.js';
import type { AppContext } from '../../platform/context.js';
import { eventsForEnterprise } from '../../platform/events/outbox.js';
import { addContact, removeContact, updateContact } from './contacts.js';
import { TAG_LABELS } from './enterprise-input.js';
import {
  createEnterprise,
  type EnterpriseFilter,
  enterpriseDetail,
  enterpriseHistory,
  overviewStats,
  searchEnterprises,
  updateEnterprise,
} from './enterprises.js';
import { importExportRoutes } from './import/routes.js';
import {
  EnterpriseSchema,
  EnterpriseSummarySchema,
  PublicEnterpriseDetailSchema,
  PublicEnterpriseSchema,
  presentEnterprise,
  presentEnterpriseSummary,
  presentPublicEnterprise,
  presentPublicEnterpriseDetail,
  presentTimelineEntry,
  TimelineEntrySchema,
} from './presenters.js';
import { productCategoryRoutes } from './product-category-routes.js';
import { EnterpriseFilterQuery, Nullable } from './schemas.js';
import { normalizeUscc } from './uscc.js';

const ListQuery = Type.Object(
  {
    ...EnterpriseFilterQuery.properties,
    cursor: Type.Optional(Type.String({ maxLength: 400 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  },
  { additionalProperties: false },
);

const UsccParams = Type.Object({ uscc: Type.String({ minLength: 1, maxLength: 40 }) });

const EditableFields = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  legalRepresentative: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  registeredAddress: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  townCode: Type.Optional(Type.String({ maxLength: 40 })),
  industryCode: Type.Optional(Nullable(Type.String({ maxLength: 10 }))),
  registeredOn: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  scale: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  /** The whole set of product categories made (codes or exact names); absent leaves it as it is. */
  productCategories: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 100 })),
};

const CreateBody = Type.Object(
  {
    uscc: Type.String({ minLength: 1, maxLength: 40 }),
    ...EditableFields,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    townCode: Type.String({ maxLength: 40 }),
  },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  { ...EditableFields, version: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);

const ListResponse = Type.Object({
  items: Type.Array(EnterpriseSummarySchema),
  nextCursor: Nullable(Type.String()),
});

/** Narrows a list to what the viewer's role may see. */
export function listScope(user: AuthUser): EnterpriseFilter['scope'] {
  const s = scopeOf(user);
  if (s.kind === 'town') return { townCode: s.townCode };
  if (s.kind === 'enterprise') return { enterpriseId: s.enterpriseId };
  if (s.kind === 'none') throw new AppError('FORBIDDEN');
  return undefined;
}

async function loadVisible(ctx: AppContext, user: AuthUser, rawUscc: string) {
  const e = await enterpriseDetail(ctx, normalizeUscc(rawUscc));
  const resource = e ? { townCode: e.town_code, enterpriseId: e.id } : null;
  if (!e || !resource) throw notFound({ zh: '企业', en: 'Enterprise' });
  if (!can(user, 'enterprise.read', resource))
    throw new AppError('FORBIDDEN', {
      message: {
        zh: '该企业不在您的管辖范围内，可通过信用公示查询其公开信息',
        en: 'This enterprise is outside your jurisdiction; its public details are on the portal',
      },
    });
  return { e, resource };
}

export async function registryRoutes(app: FastifyInstance, ctx: AppContext) {
  const tags = ['registry'];

  app.get(
    '/api/v1/towns',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '镇街列表 Towns',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                code: Type.String(),
                name: Type.String(),
                nameEn: Type.String(),
                kind: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const rows = await ctx.db.selectFrom('towns').selectAll().orderBy('sort').execute();
      return { items: rows.map((t) => ({ code: t.code, name: t.name, nameEn: t.name_en, kind: t.kind })) };
    },
  );

  app.get(
    '/api/v1/industries',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '国民经济行业分类 Industries (GB/T 4754-2017)',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                code: Type.String(),
                level: Type.String(),
                section: Type.String(),
                name: Type.String(),
                nameEn: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const rows = await ctx.db
        .selectFrom('industries')
        .selectAll()
        .orderBy('section')
        .orderBy('code')
        .execute();
      const sections = rows.filter((r) => r.level === 'section');
      const ordered = sections.flatMap((s) => [
        s,
        ...rows.filter((r) => r.level === 'division' && r.section === s.code),
      ]);
      return {
        items: ordered.map((i) => ({
          code: i.code,
          level: i.level,
          section: i.section,
          name: i.name,
          nameEn: i.name_en,
        })),
      };
    },
  );

  app.get(
    '/api/v1/tags',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '企业标签 Enterprise tags',
        response: {
          200: Type.Object({ items: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })) }),
        },
      },
    },
    async () => ({ items: Object.entries(TAG_LABELS).map(([code, name]) => ({ code, name })) }),
  );

  app.get(
    '/api/v1/enterprises',
    {
      config: { policy: 'enterprise.read' },
      schema: {
        tags,
        summary: '企业检索 Search the register',
        querystring: ListQuery,
        response: { 200: ListResponse },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const q = req.query as Static<typeof ListQuery>;
      const page = await searchEnterprises(ctx, { ...q, scope: listScope(user) });
      return { items: page.items.map(presentEnterpriseSummary), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/v1/enterprises',
    {
      config: { policy: 'enterprise.create' },
      schema: {
        tags,
        summary: '企业登记 Register an enterprise',
        body: CreateBody,
        response: { 201: EnterpriseSchema },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const body = req.body as Static<typeof CreateBody>;
      const scope = listScope(user);
      if (scope?.townCode && body.townCode !== scope.townCode)
        assertCan(user, 'enterprise.create', { townCode: body.townCode });
      await createEnterprise(ctx, actorOf(req), body);
      const { e } = await loadVisible(ctx, user, body.uscc);
      reply.code(201);
      return presentEnterprise(
        e,
        can(user, 'enterprise.readPersonal', { townCode: e.town_code, enterpriseId: e.id }),
      );
    },
  );

  app.get(
    '/api/v1/enterprises/:uscc',
    {
      config: { policy: 'enterprise.read' },
      schema: {
        tags,
        summary: '企业详情 One enterprise',
        params: UsccParams,
        response: { 200: EnterpriseSchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { e, resource } = await loadVisible(ctx, user, (req.params as Static<typeof UsccParams>).uscc);
      return presentEnterprise(e, can(user, 'enterprise.readPersonal', resource));
    },
  );

  app.patch(
    '/api/v1/enterprises/:uscc',
    {
      config: { policy: 'enterprise.update' },
      schema: {
        tags,
        summary: '变更企业信息 Update an enterprise',
        params: UsccParams,
        body: PatchBody,
        response: { 200: EnterpriseSchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { e, resource } = await loadVisible(ctx, user, (req.params as Static<typeof UsccParams>).uscc);
      assertCan(user, 'enterprise.update', resource);
      const body = req.body as Static<typeof PatchBody>;
      if (body.townCode && body.townCode !== e.town_code)
        assertCan(user, 'enterprise.update', { townCode: body.townCode, enterpriseId: e.id });
      await updateEnterprise(ctx, actorOf(req), e.uscc, body);
      const fresh = await enterpriseDetail(ctx, e.uscc);
      return presentEnterprise(fresh!, can(user, 'enterprise.readPersonal', resource));
    },
  );

  // --- contacts (personal data) -----------------------------------------------------------------
  const ContactBody = Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 30 }),
      role: Type.Optional(Nullable(Type.String({ maxLength: 30 }))),
      phone: Type.Optional(Nullable(Type.String({ maxLength: 30 }))),
      email: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
      residentId: Type.Optional(Nullable(Type.String({ maxLength: 30 }))),
    },
    { additionalProperties: false },
  );
  const ContactPatch = Type.Object(
    { ...ContactBody.properties, name: Type.Optional(ContactBody.properties.name) },
    { additionalProperties: false },
  );
  const ContactParams = Type.Object({ uscc: UsccParams.properties.uscc, id: Type.String({ maxLength: 40 }) });

  /** Contacts are managed by those who may both change the enterprise and see its personal data. */
  async function contactTarget(req: FastifyRequest) {
    const user = requireUser(req);
    const { e, resource } = await loadVisible(ctx, user, (req.params as { uscc: string }).uscc);
    assertCan(user, 'enterprise.update', resource);
    assertCan(user, 'enterprise.readPersonal', resource);
    return { e, present: async () => presentEnterprise((await enterpriseDetail(ctx, e.uscc))!, true) };
  }

  app.post(
    '/api/v1/enterprises/:uscc/contacts',
    {
      config: { policy: 'enterprise.update' },
      schema: {
        tags,
        summary: '新增联系人 Add a contact',
        params: UsccParams,
        body: ContactBody,
        response: { 201: EnterpriseSchema },
      },
    },
    async (req, reply) => {
      const t = await contactTarget(req);
      await addContact(ctx, actorOf(req), t.e.id, req.body as Static<typeof ContactBody>);
      reply.code(201);
      return t.present();
    },
  );
  app.patch(
    '/api/v1/enterprises/:uscc/contacts/:id',
    {
      config: { policy: 'enterprise.update' },
      schema: {
        tags,
        summary: '修改联系人 Change a contact',
        params: ContactParams,
        body: ContactPatch,
        response: { 200: EnterpriseSchema },
      },
    },
    async (req) => {
      const t = await contactTarget(req);
      await updateContact(
        ctx,
        actorOf(req),
        t.e.id,
        (req.params as Static<typeof ContactParams>).id,
        req.body as Static<typeof ContactPatch>,
      );
      return t.present();
    },
  );
  app.delete(
    '/api/v1/enterprises/:uscc/contacts/:id',
    {
      config: { policy: 'enterprise.update' },
      schema: {
        tags,
        summary: '删除联系人 Remove a contact',
        params: ContactParams,
        response: { 200: EnterpriseSchema },
      },
    },
    async (req) => {
      const t = await contactTarget(req);
      await removeContact(ctx, actorOf(req), t.e.id, (req.params as Static<typeof ContactParams>).id);
      return t.present();
    },
  );

  app.get(
    '/api/v1/enterprises/:uscc/history',
    {
      config: { policy: 'enterprise.read' },
      schema: {
        tags,
        summary: '变更历史 Change history',
        params: UsccParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                at: Type.String(),
                actor: Type.String(),
                action: Type.String(),
                changes: Type.Array(
                  Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() }),
                ),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { e } = await loadVisible(ctx, user, (req.params as Static<typeof UsccParams>).uscc);
      return { items: await enterpriseHistory(ctx, e.id) };
    },
  );

  app.get(
    '/api/v1/enterprises/:uscc/timeline',
    {
      config: { policy: 'enterprise.read' },
      schema: {
        tags,
        summary: '监管时间线 Supervision timeline (events)',
        params: UsccParams,
        response: { 200: Type.Object({ items: Type.Array(TimelineEntrySchema) }) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { e } = await loadVisible(ctx, user, (req.params as Static<typeof UsccParams>).uscc);
      return { items: (await eventsForEnterprise(ctx, e.id)).map(presentTimelineEntry) };
    },
  );

  app.get(
    '/api/v1/stats/overview',
    {
      config: { policy: 'stats.read' },
      schema: {
        tags: ['stats'],
        summary: '概览统计 Overview counts',
        response: {
          200: Type.Object({
            total: Type.Integer(),
            byStatus: Type.Record(Type.String(), Type.Integer()),
            byScale: Type.Record(Type.String(), Type.Integer()),
            byTown: Type.Array(
              Type.Object({ code: Type.String(), name: Type.String(), count: Type.Integer() }),
            ),
            bySection: Type.Array(
              Type.Object({ code: Type.String(), name: Type.String(), count: Type.Integer() }),
            ),
          }),
        },
      },
    },
    async (req) => overviewStats(ctx, listScope(requireUser(req))),
  );

  // --- public portal: its own presenters, no login, no personal data ------------------------
  const PublicQuery = Type.Object(
    {
      q: Type.String({
        minLength: 2,
        maxLength: 100,
        description: '企业名称（至少2个字）或统一社会信用代码',
      }),
      cursor: Type.Optional(Type.String({ maxLength: 400 })),
    },
    { additionalProperties: false },
  );
  app.get(
    '/api/v1/public/enterprises',
    {
      config: { policy: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['public'],
        summary: '公示查询：企业 Public enterprise look-up',
        querystring: PublicQuery,
        response: {
          200: Type.Object({
            items: Type.Array(PublicEnterpriseSchema),
            nextCursor: Nullable(Type.String()),
          }),
        },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof PublicQuery>;
      const page = await searchEnterprises(ctx, { q: q.q, cursor: q.cursor, limit: 20 });
      return { items: page.items.map(presentPublicEnterprise), nextCursor: page.nextCursor };
    },
  );
  app.get(
    '/api/v1/public/enterprises/:uscc',
    {
      config: { policy: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['public'],
        summary: '公示查询：企业详情 Public enterprise details',
        params: UsccParams,
        response: { 200: PublicEnterpriseDetailSchema },
      },
    },
    async (req) => {
      const e = await enterpriseDetail(ctx, normalizeUscc((req.params as Static<typeof UsccParams>).uscc));
      if (!e) throw notFound({ zh: '企业', en: 'Enterprise' });
      return presentPublicEnterpriseDetail(e);
    },
  );

  await productCategoryRoutes(app, ctx);
  await importExportRoutes(app, ctx);
}
