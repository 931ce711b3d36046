// Input hygiene for every route, before any handler runs:
//
// - Schema validation by two ajv instances: JSON bodies are typed exactly (`{"active": 0}` is not a
//   boolean, `{"name": false}` is not a string), while query strings, path parameters and headers,
//   which are text by nature, coerce to the declared numbers and booleans (`?limit=20`).
// - Text hygiene: a request whose JSON body, query string or path parameters hold a control
//   character (C0 but tab, line feed and carriage return; DEL; C1) or a lone surrogate half is
//   refused with VALIDATION_FAILED naming the field, so a NUL never reaches a name, a reply, a
//   LIKE pattern or PostgreSQL (which cannot store it). Query strings and path parameters are one
//   line: there tab, line feed and carriage return are refused too.
import { createRequire } from 'node:module';
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { AppError, type FieldError } from '../core/errors.js';

const require = createRequire(import.meta.url);
type ValidatorFactory = (
  externalSchemas: unknown,
  options: { customOptions?: Record<string, unknown>; plugins?: unknown[] },
) => (route: { schema: unknown; method: string; url: string; httpPart?: string }) => unknown;
const AjvCompiler = require('@fastify/ajv-compiler') as () => ValidatorFactory;

/** Options both ajv instances share: unknown fields are an error, not silently dropped. */
export const AJV_OPTIONS = { removeAdditional: false, useDefaults: true, allErrors: true } as const;

/**
 * Fastify's `schemaController`: body schemas compile on a non-coercing ajv, every other part
 * (querystring, params, headers) on one that coerces text to the declared types.
 */
export function inputSchemaController(): NonNullable<FastifyServerOptions['schemaController']> {
  const pool = AjvCompiler();
  return {
    compilersFactory: {
      buildValidator: ((externalSchemas: unknown, serverOptions: { plugins?: unknown[] } = {}) => {
        const plugins = serverOptions.plugins ?? [];
        const strict = pool(externalSchemas, {
          customOptions: { ...AJV_OPTIONS, coerceTypes: false },
          plugins,
        });
        const coercing = pool(externalSchemas, {
          customOptions: { ...AJV_OPTIONS, coerceTypes: 'array' },
          plugins,
        });
        return (route: { schema: unknown; method: string; url: string; httpPart?: string }) =>
          route.httpPart === 'body' ? strict(route) : coercing(route);
        // biome-ignore lint/suspicious/noExplicitAny: fastify types the builder loosely
      }) as any,
    },
  };
}

/** C0 controls but tab, LF and CR; DEL; C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** The same and tab, LF and CR too: for one-line text (query strings, path parameters). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_ONE_LINE = /[\u0000-\u001F\u007F-\u009F]/;

/** A surrogate half not paired (in `u` mode a pair is one code point, so only halves match). */
const LONE_SURROGATE = /\p{Cs}/u;

/** What a field name in an answer must not carry. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F]|\p{Cs}/gu;

/** Why a text is refused, or null when it is clean. */
export function textProblem(text: string, oneLine: boolean): 'CONTROL_CHARACTER' | 'LONE_SURROGATE' | null {
  if ((oneLine ? CONTROL_ONE_LINE : CONTROL).test(text)) return 'CONTROL_CHARACTER';
  if (LONE_SURROGATE.test(text)) return 'LONE_SURROGATE';
  return null;
}

const MESSAGES = {
  CONTROL_CHARACTER: { zh: '含有不允许的控制字符', en: 'contains a control character' },
  LONE_SURROGATE: { zh: '含有无效的 Unicode 字符', en: 'contains an invalid Unicode character' },
} as const;

/** Every refused text of a parsed JSON value or query object, keys included, by field path. */
export function findDirtyText(value: unknown, oneLine: boolean, path = '', out: FieldError[] = []) {
  if (out.length >= 20) return out;
  const push = (field: string, code: 'CONTROL_CHARACTER' | 'LONE_SURROGATE') =>
    out.push({ field, code, message: MESSAGES[code] });
  if (typeof value === 'string') {
    const p = textProblem(value, oneLine);
    if (p) push(path, p);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      findDirtyText(v, oneLine, path ? `${path}.${i}` : String(i), out);
    });
  } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      const field = path ? `${path}.${k}` : k;
      const p = textProblem(k, true);
      if (p) push(field, p);
      else findDirtyText(v, oneLine, field, out);
    }
  }
  return out;
}

/** preValidation hook: refuses control characters in the body, the query string and the path. */
export async function refuseDirtyText(req: FastifyRequest): Promise<void> {
  const fields = [
    ...findDirtyText(req.params, true),
    ...findDirtyText(req.query, true),
    // Multipart bodies are not parsed here (their fields are read by the handler).
    ...(req.isMultipart?.() ? [] : findDirtyText(req.body, false)),
  ];
  if (fields.length === 0) return;
  // A field name holding the control character itself would carry it into the answer.
  for (const f of fields) f.field = f.field.replace(UNPRINTABLE, '?');
  throw new AppError('VALIDATION_FAILED', {
    fields,
    message: {
      zh: `字段 ${fields[0]!.field || '请求'} ${fields[0]!.message.zh}`,
      en: `Field ${fields[0]!.field || 'request'} ${fields[0]!.message.en}`,
    },
  });
}
