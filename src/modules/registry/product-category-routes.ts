// /api/v1/product-categories: everyone signed in reads the catalogue; administrators edit it.
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { actorOf } from '../../platform/auth/plugin.js';
import type { AppContext } from '../../platform/context.js';
import { createProductCategory, listProductCategories, updateProductCategory } from './product-categories.js';
import { Nullable } from './schemas.js';

const Category = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  parentCode: Nullable(Type.String()),
  industryCode: Nullable(Type.String()),
  active: Type.Boolean(),
  updatedAt: Type.String(),
});
const Editable = {
  name: Type.String({ minLength: 1, maxLength: 50 }),
  nameEn: Type.Optional(Type.String({ maxLength: 100 })),
  parentCode: Type.Optional(Nullable(Type.String({ maxLength: 6 }))),
  industryCode: Type.Optional(Nullable(Type.String({ maxLength: 2 }))),
  active: Type.Optional(Type.Boolean()),
};
const CreateBody = Type.Object(
  { code: Type.String({ minLength: 2, maxLength: 6 }), ...Editable },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  { ...Editable, name: Type.Optional(Editable.name) },
  { additionalProperties: false },
);
const CodeParams = Type.Object({ code: Type.String({ minLength: 2, maxLength: 6 }) });

export async function productCategoryRoutes(app: FastifyInstance, ctx: AppContext) {
  const tags = ['registry'];
  app.get(
    '/api/v1/product-categories',
    {
      config: { policy: 'reference.read' },
      schema: {
        tags,
        summary: '产品类别目录 Product categories',
        response: { 200: Type.Object({ items: Type.Array(Category) }) },
      },
    },
    async () => ({ items: await listProductCategories(ctx) }),
  );
  app.post(
    '/api/v1/product-categories',
    {
      config: { policy: 'reference.manage' },
      schema: {
        tags,
        summary: '新增产品类别 Add a product category',
        body: CreateBody,
        response: { 201: Category },
      },
    },
    async (req, reply) => {
      const item = await createProductCategory(ctx, actorOf(req), req.body as Static<typeof CreateBody>);
      reply.code(201);
      return item;
    },
  );
  app.patch(
    '/api/v1/product-categories/:code',
    {
      config: { policy: 'reference.manage' },
      schema: {
        tags,
        summary: '修改产品类别 Change a product category',
        params: CodeParams,
        body: PatchBody,
        response: { 200: Category },
      },
    },
    async (req) =>
      updateProductCategory(
        ctx,
        actorOf(req),
        (req.params as Static<typeof CodeParams>).code,
        req.body as Static<typeof PatchBody>,
      ),
  );
}
