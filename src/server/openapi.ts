// What the OpenAPI document says about every operation beyond the route's own schema, decided in
// one place from the route's policy, method and shape (documentation only: nothing here changes
// how a request is handled):
//
// - the problem+json answers that can happen: 400 always (validation, control characters), 401
//   and 403 on non-public routes, 404 with a path parameter, 409 on authenticated writes, 413 and
//   415 with a request body, 429 with a rate limit, 500 and 503 always, and any a route adds in
//   config.problems. A route's own declaration of a status wins. All refer to one `Problem` schema (components.schemas.Problem).
// - `x-policy`: the route's policy (an action, 'authenticated' or 'public');
// - `security: []` on public routes, which take no credential;
// - a multipart/form-data request body on upload routes (config.upload names the file field);
// - a description on 2xx answers that have none, so no operation shows "Default Response".
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifySchema, RouteOptions } from 'fastify';
import { Type } from 'typebox';
import { ERROR_CODES, type ErrorCode } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route takes a multipart/form-data upload; the name of its file field (usually 'file').
     * The OpenAPI document then describes the request body.
     */
    upload?: string;
    /**
     * Problem statuses the route answers beyond those its policy, method and shape imply (login's
     * 401 and 423, say): documented with the Problem schema.
     */
    problems?: number[];
  }
}

const Message = Type.Object({ zh: Type.String(), en: Type.String() });

/** RFC 9457 problem details, as src/core/errors.ts toProblem writes them. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'https://zhihui.dev/problems/<code>' }),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.Enum(Object.keys(ERROR_CODES) as ErrorCode[], {
      type: 'string',
      description: 'Stable error code (src/core/errors.ts)',
    }),
    detail: Type.Optional(Type.String()),
    message: Message,
    fields: Type.Array(
      Type.Object({
        field: Type.String({ description: 'The field (dotted path) at fault' }),
        code: Type.String(),
        message: Message,
      }),
    ),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  },
  { title: 'Problem' },
);

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: '请求无效或数据未通过校验 Bad request or failed validation (fields name each problem)',
  401: '未登录或登录已过期 Not signed in, or the session expired',
  403: '无权访问（或缺少 CSRF 令牌、须先修改密码） Forbidden (or CSRF token missing, password change required)',
  404: '未找到 Not found',
  409: '冲突：已存在、已被修改或状态不允许 Conflict: exists, changed meanwhile, or not allowed in this state',
  413: '提交的内容过大 Payload too large',
  415: '不支持的内容类型 Unsupported content type',
  423: '账号已临时锁定 Account locked for a while (Retry-After)',
  429: '请求过于频繁 Too many requests (Retry-After)',
  500: '系统内部错误 Internal error',
  503: '服务或数据库暂不可用 Service or database unavailable',
};

const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No Content',
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type RouteLike = Pick<RouteOptions, 'method' | 'url'> & { config?: RouteOptions['config'] };

/** The file field of an upload route: config.upload, or a route that says it takes multipart. */
export function uploadFieldOf(route: RouteLike, schema: FastifySchema | undefined): string | null {
  const declared = (route.config as { upload?: unknown } | undefined)?.upload;
  if (typeof declared === 'string' && declared) return declared;
  // Routes written before config.upload existed say so in their description, field `file`.
  const description = (schema as { description?: unknown } | undefined)?.description;
  if (!schema?.body && typeof description === 'string' && description.includes('multipart/form-data'))
    return 'file';
  return null;
}

/** The problem statuses a route can answer, by its policy, method and shape. */
export function problemStatuses(route: RouteLike, schema: FastifySchema | undefined): number[] {
  const methods = [route.method].flat().map((m) => String(m).toUpperCase());
  const policy = (route.config as { policy?: unknown } | undefined)?.policy;
  const isPublic = policy === 'public';
  const takesBody = Boolean(schema?.body) || uploadFieldOf(route, schema) !== null;
  const statuses = [400];
  if (!isPublic) statuses.push(401, 403);
  if (route.url.includes(':')) statuses.push(404);
  if (!isPublic && methods.some((m) => WRITES.has(m))) statuses.push(409);
  if (takesBody) statuses.push(413, 415);
  if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit) statuses.push(429);
  statuses.push(500, 503);
  const extra = (route.config as { problems?: unknown } | undefined)?.problems;
  if (Array.isArray(extra)) for (const s of extra) if (typeof s === 'number') statuses.push(s);
  return [...new Set(statuses)].sort((a, b) => a - b);
}

const problemResponse = (status: number) => ({
  description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem',
  content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } },
});

/** @fastify/swagger `transform`: one operation's documented schema. */
export function describeOperation({
  schema,
  url,
  route,
}: {
  schema: FastifySchema;
  url: string;
  route: RouteLike;
}): { schema: FastifySchema; url: string } {
  if (!schema || (schema as { hide?: boolean }).hide) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  const policy = (route.config as { policy?: unknown } | undefined)?.policy;
  // Who may call it: an action of platform/auth/policies.ts, 'authenticated' or 'public'.
  if (typeof policy === 'string') out['x-policy'] = policy;
  if (policy === 'public') out.security = [];

  const field = uploadFieldOf(route, schema);
  if (field && !schema.body) {
    out.body = Type.Object(
      { [field]: Type.String({ format: 'binary', description: 'The file 上传的文件' }) },
      { required: [field] },
    );
    out.consumes = ['multipart/form-data'];
  }

  const declared = (schema.response ?? {}) as Record<string, unknown>;
  const response: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(declared)) {
    const description = SUCCESS_DESCRIPTIONS[status];
    const given = answer && typeof answer === 'object' && 'description' in answer;
    response[status] = description && !given ? { ...(answer as object), description } : answer;
  }
  for (const status of problemStatuses(route, schema))
    if (!(String(status) in response) && !(`${String(status)[0]}xx` in response))
      response[String(status)] = problemResponse(status);
  out.response = response;
  return { schema: out as FastifySchema, url };
}

type OpenApiDocument = {
  components?: { schemas?: Record<string, unknown> };
  paths?: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>
  >;
};

/**
 * @fastify/swagger `transformObject`: the problem schema once, in components.schemas.Problem,
 * and every problem answer a reference to it.
 */
export const shareProblemSchema: NonNullable<FastifyDynamicSwaggerOptions['transformObject']> = (
  documentObject,
) => {
  if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
  const doc = documentObject.openapiObject as OpenApiDocument;
  let problem: unknown;
  for (const item of Object.values(doc.paths ?? {}))
    for (const op of Object.values(item ?? {}))
      for (const answer of Object.values(op?.responses ?? {})) {
        const media = answer?.content?.[PROBLEM_MEDIA_TYPE] as { schema?: unknown } | undefined;
        if (!media?.schema) continue;
        problem ??= media.schema;
        media.schema = { $ref: '#/components/schemas/Problem' };
      }
  doc.components ??= {};
  doc.components.schemas = { ...doc.components.schemas, Problem: problem ?? ProblemSchema };
  return documentObject.openapiObject;
};
