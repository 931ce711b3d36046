// The audit trail read back: the administrator's screen over audit_log (filters, keyset pages, one
// entry with its before/after diff), the login history, and the CSV export. Nothing here changes an
// audit row; the routes (audit-routes.ts) write one row per read, since reading is audited too.
//
// Like auth/users.ts, this reads the registry's `enterprises` table (a filter by USCC, the name and
// USCC beside each row): audit rows name enterprises by id, and the screen must name them.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { AppError, type Message } from '../core/errors.js';
import { isIsoDate } from '../core/workdays.js';
import { escapeLike, json } from '../db/codecs.js';
import { normalizeUsername } from './auth/principal.js';
import type { AppContext } from './context.js';

// ---- filters ---------------------------------------------------------------------------------

export type AuditFilter = {
  /** a user's id or username; anything else is matched as the label of a system actor ('seed'…) */
  actor?: string;
  /** an exact action, or a prefix: ending in '.' (`credit.`) or '*' (`credit*`) */
  action?: string;
  resourceType?: string;
  resourceId?: string;
  /** an enterprise's USCC or id */
  enterprise?: string;
  /** Asia/Shanghai days, both inclusive */
  from?: string;
  to?: string;
  /** leave out the audit trail's own read rows (audit.*) unless the action filter asks for them */
  hideReads?: boolean;
};

type Resolved = {
  actorId?: string;
  actorLabel?: string;
  action?: { exact: string } | { prefix: string };
  resourceType?: string;
  resourceId?: string;
  enterpriseId?: string;
  atFrom?: string;
  atBefore?: string;
  hideReads: boolean;
};

const ACTION_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
const READ_PREFIX = 'audit.';

const invalid = (field: string, code: string, message: Message) =>
  new AppError('VALIDATION_FAILED', { message, fields: [{ field, code, message }] });

/** The instant a day begins in Asia/Shanghai (UTC+8 all year, no daylight saving). */
export function shanghaiDayStart(day: string): string {
  return new Date(`${day}T00:00:00.000+08:00`).toISOString();
}

const nextDay = (day: string) => {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};

function dateOf(field: 'from' | 'to', v: string | undefined): string | undefined {
  const s = v?.trim();
  if (!s) return undefined;
  if (!isIsoDate(s))
    throw invalid(field, 'INVALID_DATE', {
      zh: '日期应为 YYYY-MM-DD 格式的有效日期',
      en: 'A date is a real calendar date written YYYY-MM-DD',
    });
  return s;
}

/** The user an actor filter names (id or username), or null. */
async function findUser(ctx: AppContext, text: string) {
  return (
    (await ctx.db
      .selectFrom('users')
      .select(['id', 'username'])
      .where((eb) => eb.or([eb('id', '=', text), eb('username', '=', normalizeUsername(text))]))
      .executeTakeFirst()) ?? null
  );
}

async function resolve(ctx: AppContext, f: AuditFilter): Promise<Resolved> {
  const r: Resolved = { hideReads: f.hideReads === true };
  const actor = f.actor?.trim();
  if (actor) {
    const user = await findUser(ctx, actor);
    if (user) r.actorId = user.id;
    else r.actorLabel = actor;
  }
  const action = f.action?.trim();
  if (action) {
    if (!ACTION_PATTERN.test(action.replace(/\*$/, '')) || action === '*')
      throw invalid('action', 'INVALID_ACTION', {
        zh: '操作代码只能由字母、数字和 . _ - 组成，可以 . 或 * 结尾表示前缀',
        en: 'An action is letters, digits and . _ -; end it with . or * for a prefix',
      });
    if (action.endsWith('*')) r.action = { prefix: action.slice(0, -1) };
    else if (action.endsWith('.')) r.action = { prefix: action };
    else r.action = { exact: action };
  }
  const resourceType = f.resourceType?.trim();
  if (resourceType) r.resourceType = resourceType;
  const resourceId = f.resourceId?.trim();
  if (resourceId) r.resourceId = resourceId;
  const enterprise = f.enterprise?.trim();
  if (enterprise) {
    const upper = enterprise.toUpperCase();
    const found = await ctx.db
      .selectFrom('enterprises')
      .select('id')
      .where((eb) => eb.or([eb('uscc', '=', upper), eb('id', '=', enterprise)]))
      .executeTakeFirst();
    if (!found)
      throw invalid('enterprise', 'UNKNOWN_ENTERPRISE', {
        zh: `未找到统一社会信用代码或编号为 ${enterprise.slice(0, 40)} 的企业`,
        en: `No enterprise has the USCC or id ${enterprise.slice(0, 40)}`,
      });
    r.enterpriseId = found.id;
  }
  const from = dateOf('from', f.from);
  const to = dateOf('to', f.to);
  if (from && to && from > to)
    throw invalid('to', 'DATE_RANGE', {
      zh: '结束日期不能早于开始日期',
      en: 'The end date is before the start date',
    });
  if (from) r.atFrom = shanghaiDayStart(from);
  if (to) r.atBefore = shanghaiDayStart(nextDay(to));
  return r;
}

/** The smallest text greater than every text starting with `prefix` (code-unit order). */
function nextPrefix(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/**
 * `column` starts with `prefix`. SQLite compares text by code units, so a range reads the index;
 * PostgreSQL's range would follow the database's collation, which need not keep a prefix's texts
 * together ('.' may weigh nothing), so there LIKE says exactly what is meant.
 */
function startsWith(ctx: AppContext, column: string, prefix: string) {
  if (!prefix) return sql<SqlBool>`1 = 1`;
  if (ctx.dialect === 'postgres')
    return sql<SqlBool>`${sql.ref(column)} LIKE ${`${escapeLike(prefix)}%`} ESCAPE '\\'`;
  return sql<SqlBool>`(${sql.ref(column)} >= ${prefix} AND ${sql.ref(column)} < ${nextPrefix(prefix)})`;
}

// Used on queries of `audit_log as a` with and without joins: typed loosely, like the registry's.
// biome-ignore lint/suspicious/noExplicitAny: the same conditions serve several query shapes
type Eb = ExpressionBuilder<any, any>;

function conditions(ctx: AppContext, r: Resolved) {
  return (eb: Eb) => {
    const parts: Expression<SqlBool>[] = [];
    if (r.actorId !== undefined) parts.push(eb('a.actor_id', '=', r.actorId));
    if (r.actorLabel !== undefined)
      parts.push(eb.and([eb('a.actor_id', 'is', null), eb('a.actor_label', '=', r.actorLabel)]));
    if (r.action && 'exact' in r.action) parts.push(eb('a.action', '=', r.action.exact));
    if (r.action && 'prefix' in r.action) parts.push(startsWith(ctx, 'a.action', r.action.prefix));
    if (
      r.hideReads &&
      !(r.action && ('exact' in r.action ? r.action.exact : r.action.prefix).startsWith('audit'))
    )
      parts.push(eb.not(startsWith(ctx, 'a.action', READ_PREFIX)));
    if (r.resourceType !== undefined) parts.push(eb('a.resource_type', '=', r.resourceType));
    if (r.resourceId !== undefined) parts.push(eb('a.resource_id', '=', r.resourceId));
    if (r.enterpriseId !== undefined) parts.push(eb('a.enterprise_id', '=', r.enterpriseId));
    if (r.atFrom !== undefined) parts.push(eb('a.at', '>=', r.atFrom));
    if (r.atBefore !== undefined) parts.push(eb('a.at', '<', r.atBefore));
    return parts.length ? eb.and(parts) : sql<SqlBool>`1 = 1`;
  };
}

// ---- keyset cursor ---------------------------------------------------------------------------

type Cursor = { at: string; id: string };

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.at, c.id]), 'utf8').toString('base64url');

function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && v.length === 2)
      return { at: v[0], id: v[1] };
  } catch {}
  throw invalid('cursor', 'INVALID_CURSOR', { zh: '分页游标无效', en: 'Invalid cursor' });
}

/**
 * Newest first: (at, id) descending, strictly after the cursor. The plain `at <=` bound lets every
 * index on (…, at) start the scan at the cursor rather than filter from the newest row down.
 */
const beforeCursor = (c: Cursor) => (eb: Eb) =>
  eb.and([
    eb('a.at', '<=', c.at),
    eb.or([eb('a.at', '<', c.at), eb.and([eb('a.at', '=', c.at), eb('a.id', '<', c.id)])]),
  ]);

// ---- the list --------------------------------------------------------------------------------

export type AuditListItem = {
  id: string;
  at: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  enterpriseId: string | null;
  enterpriseName: string | null;
  enterpriseUscc: string | null;
  requestId: string | null;
};

export const AUDIT_PAGE_MAX = 200;

/** What a row of the list, the export and the entry show (the entry adds before and after). */
const ROW_COLUMNS = [
  'a.id',
  'a.at',
  'a.actor_id',
  'a.actor_label',
  'a.action',
  'a.resource_type',
  'a.resource_id',
  'a.enterprise_id',
  'a.request_id',
  'e.name as enterprise_name',
  'e.uscc as enterprise_uscc',
] as const;

function listQuery(ctx: AppContext, r: Resolved) {
  return ctx.db
    .selectFrom('audit_log as a')
    .leftJoin('enterprises as e', 'e.id', 'a.enterprise_id')
    .select(ROW_COLUMNS)
    .where(conditions(ctx, r));
}

type ListRow = Awaited<ReturnType<ReturnType<typeof listQuery>['execute']>>[number];

const presentItem = (row: ListRow): AuditListItem => ({
  id: row.id,
  at: row.at,
  actorId: row.actor_id,
  actorLabel: row.actor_label,
  action: row.action,
  resourceType: row.resource_type,
  resourceId: row.resource_id,
  enterpriseId: row.enterprise_id,
  enterpriseName: row.enterprise_name ?? null,
  enterpriseUscc: row.enterprise_uscc ?? null,
  requestId: row.request_id,
});

export async function searchAudit(
  ctx: AppContext,
  f: AuditFilter & { cursor?: string; limit?: number },
): Promise<{ items: AuditListItem[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, f.limit ?? 50), AUDIT_PAGE_MAX);
  const cursor = decodeCursor(f.cursor);
  const r = await resolve(ctx, f);
  let q = listQuery(ctx, r);
  if (cursor) q = q.where(beforeCursor(cursor));
  const rows = await q
    .orderBy('a.at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(presentItem),
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.at, id: last.id }) : null,
  };
}

// ---- one entry and its diff ------------------------------------------------------------------

export type DiffLine = { path: string; before: unknown; after: unknown };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaves by dotted path; arrays, scalars and empty objects are leaves. */
function leaves(value: unknown, path: string, out: Map<string, unknown>) {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  } else if (value !== undefined) {
    out.set(path, value);
  }
}

/**
 * What changed between two documents: one line per leaf whose value differs, nested objects by
 * dotted path (`address.town`), a field present on one side only against null. Order: the fields
 * of `before`, then those only `after` has.
 */
export function auditDiff(before: unknown, after: unknown): DiffLine[] {
  const b = new Map<string, unknown>();
  const a = new Map<string, unknown>();
  if (before !== null) leaves(before, '', b);
  if (after !== null) leaves(after, '', a);
  const lines: DiffLine[] = [];
  for (const path of new Set([...b.keys(), ...a.keys()])) {
    const was = b.has(path) ? b.get(path) : null;
    const now = a.has(path) ? a.get(path) : null;
    if (JSON.stringify(was) !== JSON.stringify(now)) lines.push({ path, before: was, after: now });
  }
  return lines;
}

export type AuditEntryDetail = AuditListItem & {
  before: unknown;
  after: unknown;
  diff: DiffLine[];
};

export async function auditEntry(ctx: AppContext, id: string): Promise<AuditEntryDetail | null> {
  const row = await ctx.db
    .selectFrom('audit_log as a')
    .leftJoin('enterprises as e', 'e.id', 'a.enterprise_id')
    .select([...ROW_COLUMNS, 'a.before', 'a.after'])
    .where('a.id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  const before = json.read<unknown>(row.before, null);
  const after = json.read<unknown>(row.after, null);
  return { ...presentItem(row), before, after, diff: auditDiff(before, after) };
}

// ---- login history ---------------------------------------------------------------------------

export const LOGIN_ACTIONS = {
  'auth.login.succeeded': 'succeeded',
  'auth.login.failed': 'failed',
  'auth.login.throttled': 'throttled',
  'auth.logout': 'logout',
} as const;
export type LoginEvent = (typeof LOGIN_ACTIONS)[keyof typeof LOGIN_ACTIONS];
const LOGIN_ACTION_NAMES = Object.keys(LOGIN_ACTIONS) as (keyof typeof LOGIN_ACTIONS)[];

export type LoginFilter = { user?: string; from?: string; to?: string; cursor?: string; limit?: number };

export type LoginItem = {
  id: string;
  at: string;
  event: LoginEvent;
  userId: string | null;
  username: string;
  /** failed: wrongPassword, unknownUser, disabled */
  reason: string | null;
  ip: string | null;
  /** failed: the address's failures so far; throttled: the failures that engaged the back-off */
  failures: number | null;
  /** throttled: the wait imposed and its end */
  waitSeconds: number | null;
  until: string | null;
  /** throttled: 'source' (this address) or 'account' (every address) */
  scope: string | null;
  requestId: string | null;
};

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Sign-ins, failures, back-offs and sign-outs, newest first. A user is named by id or username; a
 * username no account has finds the attempts made with it (audited with the name they typed).
 */
export async function loginHistory(
  ctx: AppContext,
  f: LoginFilter,
): Promise<{ items: LoginItem[]; nextCursor: string | null; user: { id: string; username: string } | null }> {
  const limit = Math.min(Math.max(1, f.limit ?? 50), AUDIT_PAGE_MAX);
  const cursor = decodeCursor(f.cursor);
  const range = await resolve(ctx, { from: f.from, to: f.to });
  const who = f.user?.trim();
  const user = who ? await findUser(ctx, who) : null;
  let q = ctx.db
    .selectFrom('audit_log as a')
    .select([
      'a.id',
      'a.at',
      'a.actor_id',
      'a.actor_label',
      'a.action',
      'a.resource_id',
      'a.after',
      'a.request_id',
    ])
    .where(conditions(ctx, range));
  if (user) q = q.where('a.actor_id', '=', user.id);
  else if (who) {
    // Attempts with a name no account has: written by the anonymous actor, the name in `after`.
    const name = normalizeUsername(who).slice(0, 64);
    const pattern = `%${escapeLike(`"username":${JSON.stringify(name)}`)}%`;
    q = q
      .where('a.actor_id', 'is', null)
      .where(sql<SqlBool>`${sql.ref('a.after')} LIKE ${pattern} ESCAPE '\\'`);
  }
  if (cursor) q = q.where(beforeCursor(cursor));
  // One read per action, each down its (action, at) index, merged here: `action IN (…)` made
  // SQLite sort every sign-in of the city to find the newest fifty.
  const perAction = await Promise.all(
    LOGIN_ACTION_NAMES.map((action) =>
      q
        .where('a.action', '=', action)
        .orderBy('a.at', 'desc')
        .orderBy('a.id', 'desc')
        .limit(limit + 1)
        .execute(),
    ),
  );
  const rows = perAction
    .flat()
    .sort((x, y) => (x.at === y.at ? (x.id < y.id ? 1 : -1) : x.at < y.at ? 1 : -1))
    .slice(0, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const items = page.map((row): LoginItem => {
    const after = json.read<Record<string, unknown>>(row.after, {});
    const event = LOGIN_ACTIONS[row.action as keyof typeof LOGIN_ACTIONS];
    return {
      id: row.id,
      at: row.at,
      event,
      userId: row.actor_id,
      username: row.actor_id ? row.actor_label : (str(after.username) ?? row.actor_label),
      reason: str(after.reason),
      ip: str(after.ip),
      failures: num(after.failures),
      waitSeconds: num(after.waitSeconds),
      until: str(after.until),
      scope: str(after.scope),
      requestId: row.request_id,
    };
  });
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.at, id: last.id }) : null,
    user: user ? { id: user.id, username: user.username } : null,
  };
}

// ---- CSV export ------------------------------------------------------------------------------

export const AUDIT_EXPORT_MAX_ROWS = 50_000;
const EXPORT_PAGE = 1_000;

/** The columns of the screen's table, in its order. */
export const AUDIT_CSV_HEADERS = [
  '时间',
  '操作人',
  '操作',
  '对象类型',
  '对象编号',
  '企业名称',
  '统一社会信用代码',
  '请求编号',
  '记录编号',
] as const;

const csvField = (value: string) => (/[",\r\n\t]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
/** A cell Excel would run as a formula gets a leading apostrophe. */
const guard = (value: string) => (/^'*[=+\-@\t\r]/.test(value) ? `'${value}` : value);
const csvLine = (cells: readonly (string | null)[]) =>
  `${cells.map((c) => csvField(guard(c ?? ''))).join(',')}\r\n`;

/** An instant as Asia/Shanghai wall time, `YYYY-MM-DD HH:mm:ss`. */
export function shanghaiTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

async function write(out: Writable, text: string) {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * Writes the filtered rows as CSV (UTF-8 with BOM, CRLF, Chinese headers), newest first, page by
 * page (bounded memory), at most AUDIT_EXPORT_MAX_ROWS; when more matched, a last line says so.
 */
export async function exportAuditCsv(
  ctx: AppContext,
  f: AuditFilter,
  out: Writable,
  opts: { maxRows?: number } = {},
): Promise<{ rows: number; truncated: boolean }> {
  const max = opts.maxRows ?? AUDIT_EXPORT_MAX_ROWS;
  const r = await resolve(ctx, f);
  let rows = 0;
  let truncated = false;
  let cursor: Cursor | null = null;
  await write(out, `\uFEFF${csvLine(AUDIT_CSV_HEADERS)}`);
  for (;;) {
    let q = listQuery(ctx, r);
    if (cursor) q = q.where(beforeCursor(cursor));
    const want = Math.min(EXPORT_PAGE, max - rows);
    const page = await q
      .orderBy('a.at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(want + 1)
      .execute();
    let text = '';
    for (const row of page.slice(0, want))
      text += csvLine([
        shanghaiTime(row.at),
        row.actor_label,
        row.action,
        row.resource_type,
        row.resource_id,
        row.enterprise_name ?? null,
        row.enterprise_uscc ?? null,
        row.request_id,
        row.id,
      ]);
    if (text) await write(out, text);
    rows += Math.min(page.length, want);
    if (page.length <= want) break;
    if (rows >= max) {
      truncated = true;
      break;
    }
    const last = page[want - 1]!;
    cursor = { at: last.at, id: last.id };
  }
  if (truncated)
    await write(
      out,
      csvLine([
        `（已截断：仅导出最新的 ${max} 条，请缩小筛选范围后分批导出 / Truncated: only the newest ${max} rows were exported; narrow the filters）`,
      ]),
    );
  return { rows, truncated };
}
