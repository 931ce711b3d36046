// The OpenAPI document at /api/docs/json says what every operation answers, who may call it, and
// what it takes; and a typed client can be generated from it as it is (openapi-typescript) and
// compiled against.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../platform/bootstrap.js';
import { testContext } from '../testing/db.js';
import { buildApp } from './app.js';
import { problemStatuses } from './openapi.js';

type Answer = { description?: string; content?: Record<string, { schema?: { $ref?: string } }> };
type Operation = {
  responses: Record<string, Answer>;
  security?: unknown[];
  requestBody?: {
    content: Record<string, { schema?: { properties?: Record<string, { format?: string }> } }>;
  };
  'x-policy'?: string;
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

describe('OpenAPI document', () => {
  let rt: Runtime;
  let app: FastifyInstance;
  let doc: Doc;
  const operations: { key: string; path: string; method: string; op: Operation }[] = [];
  beforeAll(async () => {
    rt = await testContext('sqlite');
    app = await buildApp(rt);
    doc = (await app.inject('/api/docs/json')).json();
    for (const [p, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item))
        operations.push({ key: `${method.toUpperCase()} ${p}`, path: p, method, op });
  });
  afterAll(async () => {
    await app?.close();
    await rt?.close();
  });

  it('lists the operations', () => {
    expect(operations.length).toBeGreaterThan(50);
  });

  it('gives every operation a described 2xx answer with its content', () => {
    const missing: string[] = [];
    for (const { key, op } of operations) {
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      if (success.length === 0) missing.push(`${key}: no 2xx answer`);
      for (const [status, answer] of success) {
        if (!answer.description || answer.description === 'Default Response')
          missing.push(`${key} ${status}: "Default Response"`);
        if (status !== '204' && !answer.content) missing.push(`${key} ${status}: no content`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('gives every operation its problem+json answers by policy, method and shape', () => {
    const missing: string[] = [];
    for (const { key, path: p, method, op } of operations) {
      const policy = op['x-policy'];
      if (!policy) missing.push(`${key}: no x-policy`);
      const expected = ['400', '500', '503'];
      if (policy !== 'public') expected.push('401', '403');
      if (p.includes('{')) expected.push('404');
      if (op.requestBody) expected.push('413', '415');
      for (const status of expected) {
        const answer = op.responses[status];
        if (!answer) {
          missing.push(`${key}: no ${status}`);
          continue;
        }
        // a route may declare its own body for a status (health's 503); otherwise the Problem
        const problem = answer.content?.['application/problem+json']?.schema?.$ref;
        if (!answer.content || (!problem && !answer.content['application/json']))
          missing.push(`${key} ${status}: no content`);
        if (problem && problem !== '#/components/schemas/Problem')
          missing.push(`${key} ${status}: ${problem}`);
      }
      if (['post', 'put', 'patch', 'delete'].includes(method) && policy !== 'public' && !op.responses['409'])
        missing.push(`${key}: no 409`);
    }
    expect(missing).toEqual([]);
    expect(doc.components.schemas.Problem).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['type', 'title', 'status', 'code', 'message', 'fields']),
    });
  });

  it('marks public operations as taking no credential, and only those', () => {
    const publicOps = operations.filter((o) => o.op['x-policy'] === 'public').map((o) => o.key);
    expect(publicOps).toEqual(
      expect.arrayContaining([
        'GET /api/health',
        'POST /api/auth/login',
        'GET /api/v1/public/enterprises',
        'GET /api/v1/public/enterprises/{uscc}',
      ]),
    );
    for (const { key, path: p, op } of operations) {
      if (op['x-policy'] === 'public') expect(op.security, key).toEqual([]);
      else expect(op.security, key).toBeUndefined(); // the document's session-or-token requirement
      if (p.startsWith('/api/v1/public/')) expect(op['x-policy'], key).toBe('public');
    }
  });

  it('adds the problem statuses a route names in config.problems', () => {
    const route = {
      method: 'POST' as const,
      url: '/api/auth/login',
      config: { policy: 'public' as const, problems: [401, 423] },
    };
    expect(problemStatuses(route, { body: {} })).toEqual([400, 401, 413, 415, 423, 500, 503]);
    const read = {
      method: 'GET' as const,
      url: '/api/v1/things/:id',
      config: { policy: 'enterprise.read' as const },
    };
    expect(problemStatuses(read, {})).toEqual([400, 401, 403, 404, 500, 503]);
  });

  it('describes the upload routes as multipart/form-data with a binary file field', () => {
    for (const key of ['POST /api/v1/imports/enterprises', 'POST /api/v1/credit/evidence']) {
      const op = operations.find((o) => o.key === key)?.op;
      expect(op, key).toBeDefined();
      const media = op?.requestBody?.content['multipart/form-data'];
      expect(media?.schema?.properties?.file?.format, key).toBe('binary');
    }
  });

  it('generates a typed client that compiles (openapi-typescript)', async () => {
    const types = astToString(await openapiTS(doc as never));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-openapi-'));
    try {
      fs.writeFileSync(path.join(dir, 'api.ts'), types);
      // A small client: the shapes a caller reads and writes, checked by the compiler.
      fs.writeFileSync(
        path.join(dir, 'client.ts'),
        `import type { components, paths } from './api';
type Problem = components['schemas']['Problem'];
type Enterprise = paths['/api/v1/enterprises/{uscc}']['get']['responses'][200]['content']['application/json'];
type Created = paths['/api/v1/enterprises']['post']['responses'][201]['content']['application/json'];
type NewEnterprise = paths['/api/v1/enterprises']['post']['requestBody']['content']['application/json'];
type Refused = paths['/api/v1/enterprises']['post']['responses'][400]['content']['application/problem+json'];
type Upload = paths['/api/v1/imports/enterprises']['post']['requestBody']['content']['multipart/form-data'];
type Search = paths['/api/v1/public/enterprises']['get']['parameters']['query'];
export async function register(body: NewEnterprise): Promise<Created | Problem> {
  const res = await fetch('/api/v1/enterprises', { method: 'POST', body: JSON.stringify(body) });
  if (res.status === 201) return (await res.json()) as Created;
  const problem = (await res.json()) as Refused;
  const code: Problem['code'] = problem.code;
  const fields: string[] = problem.fields.map((f) => f.field);
  console.log(code, fields, problem.message.zh);
  return problem;
}
export const name = (e: Enterprise): string => e.name;
export const upload: Upload = { file: 'x' };
export const search: Search = { q: '东莞' };
// @ts-expect-error: an unknown code is not a Problem code
export const wrong: Problem['code'] = 'NO_SUCH_CODE';
`,
      );
      const program = ts.createProgram([path.join(dir, 'client.ts')], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
        skipLibCheck: true,
      });
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
