// Turns anything a handler or Fastify throws into RFC 9457 problem+json. Input errors map to
// stable 4xx codes; only a genuine fault becomes a 500, and its details stay in the log.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldError, isAppError, toProblem } from '../core/errors.js';

type AjvError = {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
};

const zhFor = (e: AjvError): string => {
  switch (e.keyword) {
    case 'required':
      return '必填项缺失';
    case 'additionalProperties':
      return `不允许的字段：${String(e.params?.additionalProperty)}`;
    case 'type':
      return `类型错误，应为 ${String(e.params?.type)}`;
    case 'minLength':
      return `长度不能少于 ${String(e.params?.limit)}`;
    case 'maxLength':
      return `长度不能超过 ${String(e.params?.limit)}`;
    case 'minimum':
      return `不能小于 ${String(e.params?.limit)}`;
    case 'maximum':
      return `不能大于 ${String(e.params?.limit)}`;
    case 'pattern':
      return '格式不正确';
    case 'enum':
    case 'const':
    case 'anyOf':
      return '取值不在允许范围内';
    default:
      return '取值无效';
  }
};

export function validationFields(errors: AjvError[], context: string): FieldError[] {
  return errors.map((e) => {
    let field = (e.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    if (e.keyword === 'required')
      field = [field, String(e.params?.missingProperty)].filter(Boolean).join('.');
    if (e.keyword === 'additionalProperties')
      field = [field, String(e.params?.additionalProperty)].filter(Boolean).join('.');
    return {
      field: field || context,
      code: (e.keyword ?? 'invalid').toUpperCase(),
      message: { zh: zhFor(e), en: e.message ?? 'invalid value' },
    };
  });
}

export function toAppError(
  err: FastifyError & { validation?: AjvError[]; validationContext?: string },
): AppError {
  if (isAppError(err)) return err;
  if (err.validation) {
    const fields = validationFields(err.validation, err.validationContext ?? 'body');
    return new AppError('VALIDATION_FAILED', { fields, detail: err.message });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('MALFORMED_JSON', { detail: err.message });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('PAYLOAD_TOO_LARGE', { detail: err.message });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: err.message });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', { detail: err.message });
  }
  if (err instanceof SyntaxError) return new AppError('MALFORMED_JSON', { detail: err.message });
  const status = err.statusCode ?? 500;
  if (status === 429) return new AppError('RATE_LIMITED', { detail: err.message });
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', { detail: err.message });
  if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: err.message });
  if (status === 404) return new AppError('NOT_FOUND', { detail: err.message });
  if (status >= 400 && status < 500) return new AppError('BAD_REQUEST', { detail: err.message });
  return new AppError('INTERNAL');
}

export function sendProblem(reply: FastifyReply, req: FastifyRequest, err: AppError) {
  const problem = toProblem(err, req.url.split('?')[0], req.id);
  if (err.retryAfterSeconds) reply.header('retry-after', String(err.retryAfterSeconds));
  return reply.code(err.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(problem));
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const appErr = toAppError(err);
  // A fault is logged as one; a refusal the code chose to make (a 503 from a full queue included)
  // is not — under load it would bury the real faults in the log.
  if (appErr.code === 'INTERNAL') req.log.error({ err }, 'unhandled error');
  else if (appErr.status >= 500) req.log.warn({ code: appErr.code }, 'request refused');
  else req.log.info({ code: appErr.code }, 'request rejected');
  return sendProblem(reply, req, appErr);
}
