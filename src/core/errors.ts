// One error type for the whole product. Every code maps to one HTTP status and has a message in
// Chinese and English; the server renders it as RFC 9457 problem+json.

export type Message = { zh: string; en: string };

export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, zh: '请求无效', en: 'Bad request' },
  MALFORMED_JSON: { status: 400, zh: '请求体不是有效的 JSON', en: 'The request body is not valid JSON' },
  VALIDATION_FAILED: { status: 400, zh: '提交的数据未通过校验', en: 'The submitted data failed validation' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '不支持的内容类型', en: 'Unsupported content type' },
  PAYLOAD_TOO_LARGE: { status: 413, zh: '提交的内容过大', en: 'The request body is too large' },
  UNSUPPORTED_FILE: { status: 400, zh: '不支持的文件格式', en: 'Unsupported file format' },
  IMPORT_LIMIT_EXCEEDED: {
    status: 413,
    zh: '文件超出导入限制（行数、列数、单元格长度或解压后大小）',
    en: 'The file exceeds an import limit (rows, columns, cell length or uncompressed size)',
  },
  UNAUTHENTICATED: { status: 401, zh: '请先登录', en: 'Please sign in' },
  INVALID_CREDENTIALS: { status: 401, zh: '用户名或密码错误', en: 'Wrong username or password' },
  ACCOUNT_LOCKED: { status: 423, zh: '账号已临时锁定，请稍后再试', en: 'The account is locked for a while' },
  ACCOUNT_DISABLED: { status: 403, zh: '账号已停用', en: 'The account is disabled' },
  LOGIN_THROTTLED: {
    status: 429,
    zh: '登录失败次数过多，请稍后再试',
    en: 'Too many failed sign-ins; try again later',
  },
  PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    zh: '请先修改密码：当前密码为初始密码、由管理员重置，或已公开、过于常见',
    en: 'Change your password first: it is an initial or reset password, or a published or common one',
  },
  SESSION_EXPIRED: { status: 401, zh: '登录已过期，请重新登录', en: 'Your session has expired' },
  CSRF_INVALID: { status: 403, zh: '页面已过期，请刷新后重试', en: 'Invalid CSRF token; reload the page' },
  FORBIDDEN: { status: 403, zh: '无权执行此操作', en: 'You are not allowed to do this' },
  NOT_FOUND: { status: 404, zh: '未找到', en: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, zh: '接口不存在', en: 'No such endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, zh: '不支持的请求方法', en: 'Method not allowed' },
  CONFLICT: { status: 409, zh: '数据已被他人修改，请刷新后重试', en: 'The record changed; reload and retry' },
  ALREADY_EXISTS: { status: 409, zh: '记录已存在', en: 'The record already exists' },
  INVALID_STATE: { status: 409, zh: '当前状态下不能执行此操作', en: 'Not allowed in the current state' },
  CASE_TRANSITION_NOT_ALLOWED: {
    status: 409,
    zh: '不合格后处理案件当前环节不能执行此操作',
    en: 'This step is not allowed in the current state of the post-processing case',
  },
  CASE_OBJECTION_WINDOW_CLOSED: {
    status: 409,
    zh: '异议期已届满，不能再提出异议',
    en: 'The objection window has closed',
  },
  CASE_TOO_EARLY: { status: 409, zh: '尚未到可以办理此环节的日期', en: 'Too early for this step' },
  RATE_LIMITED: { status: 429, zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  INVALID_USCC: { status: 400, zh: '统一社会信用代码无效', en: 'Invalid unified social credit code' },
  INVALID_RESIDENT_ID: { status: 400, zh: '居民身份证号码无效', en: 'Invalid resident ID number' },
  INVALID_DATE: { status: 400, zh: '日期无效', en: 'Invalid date' },
  UNKNOWN_TOWN: { status: 400, zh: '未知的镇街', en: 'Unknown town' },
  UNKNOWN_INDUSTRY: { status: 400, zh: '未知的行业代码', en: 'Unknown industry code' },
  DATABASE_UNAVAILABLE: { status: 503, zh: '数据库暂不可用', en: 'The database is unavailable' },
  SERVICE_UNAVAILABLE: { status: 503, zh: '服务暂不可用', en: 'The service is unavailable' },
  INTERNAL: { status: 500, zh: '系统内部错误', en: 'Internal error' },
} as const satisfies Record<string, { status: number; zh: string; en: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export type FieldError = { field: string; code: string; message: Message };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly messages: Message;
  readonly fields: FieldError[];
  readonly detail?: string;
  /** Seconds after which retrying may succeed (lockouts): sent as Retry-After. */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    opts: {
      message?: Partial<Message>;
      fields?: FieldError[];
      detail?: string;
      retryAfterSeconds?: number;
    } = {},
  ) {
    const base = ERROR_CODES[code];
    const messages = { zh: opts.message?.zh ?? base.zh, en: opts.message?.en ?? base.en };
    super(`${code}: ${messages.en}`);
    this.name = 'AppError';
    this.code = code;
    this.status = base.status;
    this.messages = messages;
    this.fields = opts.fields ?? [];
    this.detail = opts.detail;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Shorthand for a validation failure on one field. */
export function fieldError(
  field: string,
  code: string,
  message: Message,
  errorCode: ErrorCode = 'VALIDATION_FAILED',
) {
  return new AppError(errorCode, { fields: [{ field, code, message }], message });
}

export const notFound = (what: Message) =>
  new AppError('NOT_FOUND', { message: { zh: `${what.zh}不存在`, en: `${what.en} not found` } });

export type Problem = {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  message: Message;
  fields: FieldError[];
  instance?: string;
  requestId?: string;
};

export function toProblem(err: AppError, instance?: string, requestId?: string): Problem {
  return {
    type: `https://zhihui.dev/problems/${err.code.toLowerCase().replaceAll('_', '-')}`,
    title: ERROR_CODES[err.code].en,
    status: err.status,
    code: err.code,
    detail: err.detail ?? err.messages.en,
    message: err.messages,
    fields: err.fields,
    instance,
    requestId,
  };
}
