/**
 * The one way the web app talks to the server.
 *
 * - same-origin fetch with the session cookie (`credentials: 'include'`);
 * - the CSRF token received from `/api/auth/me` or the login response is sent as `x-csrf-token`
 *   on every non-GET request;
 * - RFC 9457 problem+json bodies become an {@link ApiError} whose message follows the UI language;
 * - a 401 on a normal request tells the session layer to send the user to the login page.
 */
import type { App as AntApp, FormInstance } from 'antd';
import i18n from '../app/i18n';

export interface LocalizedText {
  zh: string;
  en: string;
}

export interface ProblemField {
  field: string;
  code: string;
  message: LocalizedText | string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  fields?: ProblemField[];
  message?: LocalizedText | string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  readonly fields: ProblemField[];
  /** Seconds to wait, from a Retry-After header (rate limiting / lockout), when the server sent one. */
  readonly retryAfter: number | null;

  constructor(status: number, problem: Problem, retryAfter: number | null = null) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? `http.${status}`;
    this.problem = problem;
    this.fields = Array.isArray(problem.fields) ? problem.fields : [];
    this.retryAfter = retryAfter;
  }

  /** The message in the current UI language. */
  get localizedMessage(): string {
    return localizeProblem(this);
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

function isEnglish(): boolean {
  return (i18n.language ?? 'zh-CN').toLowerCase().startsWith('en');
}

export function pickText(text: LocalizedText | string | undefined | null): string | undefined {
  if (text == null) return undefined;
  if (typeof text === 'string') return text;
  const en = isEnglish();
  return (en ? text.en : text.zh) || text.zh || text.en || undefined;
}

function localizeProblem(err: ApiError): string {
  const fromServer = pickText(err.problem.message);
  if (fromServer) return fromServer;
  const known = `errors.status.${err.status}`;
  if (i18n.exists(known)) return i18n.t(known);
  if (err.problem.detail) return err.problem.detail;
  if (err.problem.title) return err.problem.title;
  return i18n.t('errors.unknown', { status: err.status });
}

// ---------------------------------------------------------------------------------------------
// CSRF token and the unauthorised hook

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when a request (other than the session probe and login itself) answers 401. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

// ---------------------------------------------------------------------------------------------
// Requests

export type QueryValue = string | number | boolean | null | undefined;

/** Builds `?a=1&b=2` skipping empty values; returns '' when nothing remains. */
export function queryString(params: Record<string, QueryValue> | undefined): string {
  if (!params) return '';
  const usp = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    usp.set(key, String(value));
  }
  const s = usp.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Record<string, QueryValue>;
  /** JSON body (objects) or a FormData for multipart uploads. */
  body?: unknown;
  signal?: AbortSignal;
  /** Do not fire the global "unauthorised" hook on 401 (session probe, login). */
  skipAuthRedirect?: boolean;
  /** Internal: set on the single retry after a stale CSRF token was refreshed. */
  csrfRetried?: boolean;
}

/** Re-reads the CSRF token from the session (after a server restart the old one is void). */
async function refreshCsrfToken(): Promise<boolean> {
  try {
    const res = await fetch('/api/auth/me', {
      credentials: 'include',
      headers: { accept: 'application/json' },
    });
    if (!res.ok) return false;
    const body = (await res.json()) as { csrfToken?: string };
    if (!body.csrfToken) return false;
    csrfToken = body.csrfToken;
    return true;
  } catch {
    return false;
  }
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(path + queryString(options.query), {
      method,
      headers,
      body,
      credentials: 'include',
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, { code: 'network', title: 'Network error', message: networkMessage() });
  }

  if (res.status === 204) return undefined as T;
  const contentType = res.headers.get('content-type') ?? '';
  const isJson = contentType.includes('json');

  if (!res.ok) {
    let problem: Problem = { status: res.status };
    if (isJson) {
      try {
        const parsed = (await res.json()) as Record<string, unknown>;
        problem = normaliseProblem(parsed, res.status);
      } catch {
        // keep the bare status
      }
    }
    const retryAfterHeader = res.headers.get('retry-after');
    const retryAfter = retryAfterHeader && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null;
    const err = new ApiError(res.status, problem, retryAfter);
    if (res.status === 403 && err.code === 'CSRF_INVALID' && method !== 'GET' && !options.csrfRetried) {
      if (await refreshCsrfToken()) return request<T>(path, { ...options, csrfRetried: true });
    }
    if (res.status === 401 && !options.skipAuthRedirect) {
      for (const l of unauthorizedListeners) l();
    }
    throw err;
  }

  if (!isJson) return (await res.text()) as T;
  return (await res.json()) as T;
}

/** Accepts RFC 9457 bodies as well as Fastify's default `{statusCode, error, message}`. */
function normaliseProblem(raw: Record<string, unknown>, status: number): Problem {
  const p: Problem = { status };
  if (typeof raw.type === 'string') p.type = raw.type;
  if (typeof raw.title === 'string') p.title = raw.title;
  if (typeof raw.code === 'string') p.code = raw.code;
  if (typeof raw.detail === 'string') p.detail = raw.detail;
  if (Array.isArray(raw.fields)) p.fields = raw.fields as ProblemField[];
  const m = raw.message;
  if (m && typeof m === 'object' && ('zh' in m || 'en' in m)) {
    p.message = m as LocalizedText;
  } else if (typeof m === 'string' && !p.detail) {
    // Fastify default error shape: keep the server's text as the detail, not as a translated message.
    p.detail = m;
  }
  if (!p.title && typeof raw.error === 'string') p.title = raw.error;
  return p;
}

function networkMessage(): LocalizedText {
  return {
    zh: '无法连接服务器，请检查网络后重试',
    en: 'Cannot reach the server. Check the network and retry.',
  };
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal) =>
    request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, query?: Record<string, QueryValue>) =>
    request<T>(path, { method: 'POST', body, query }),
  patch: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PATCH', body }),
  delete: <T>(path: string) => request<T>(path, { method: 'DELETE' }),
};

// ---------------------------------------------------------------------------------------------
// Showing errors

type AppApi = ReturnType<typeof AntApp.useApp>;
type MessageInstance = AppApi['message'];
type NotificationInstance = AppApi['notification'];

let messageApi: MessageInstance | null = null;
let notificationApi: NotificationInstance | null = null;

/** Registered once by the app root from antd's `App.useApp()` so toasts follow the theme and locale. */
export function registerNotifier(message: MessageInstance, notification: NotificationInstance): void {
  messageApi = message;
  notificationApi = notification;
}

export function errorMessage(err: unknown): string {
  if (isApiError(err)) return err.localizedMessage;
  if (err instanceof Error && err.message) return err.message;
  return i18n.t('errors.unknown', { status: '?' });
}

/** Puts field errors of a problem onto the form; returns true when at least one field matched. */
export function applyFieldErrors(form: FormInstance, err: ApiError): boolean {
  if (!err.fields.length) return false;
  const known = new Set(Object.keys(form.getFieldsValue(true) ?? {}));
  const fields = err.fields
    .map((f) => {
      const path = f.field.replace(/^\/+/, '').replace(/^body[./]/, '');
      const name = path.split(/[./]/).filter(Boolean);
      return { name, errors: [pickText(f.message) ?? f.code] };
    })
    .filter((f) => f.name.length > 0 && known.has(String(f.name[0])));
  if (!fields.length) return false;
  form.setFields(fields);
  return true;
}

/**
 * Shows an error to the user in the current language: a short message toast, or a notification
 * listing the field errors when no form is there to hold them.
 */
export function showApiError(err: unknown, form?: FormInstance): void {
  if (err instanceof DOMException && err.name === 'AbortError') return;
  const text = errorMessage(err);
  if (isApiError(err) && form && applyFieldErrors(form, err)) {
    messageApi?.error(text);
    return;
  }
  if (isApiError(err) && err.fields.length && notificationApi) {
    notificationApi.error({
      message: text,
      description: err.fields.map((f) => `${f.field}: ${pickText(f.message) ?? f.code}`).join('\n'),
    });
    return;
  }
  if (messageApi) messageApi.error(text);
  else console.error(text);
}

export function showSuccess(text: string): void {
  messageApi?.success(text);
}
