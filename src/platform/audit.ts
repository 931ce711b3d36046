// Every mutation writes one audit row in the same transaction as the change: who, what, before,
// after, when. Callers pass the transaction they are already in. Rows are then sealed in batches
// under an HMAC chain (below), so that changing, removing or adding one shows.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../core/ids.js';
import { json } from '../db/codecs.js';
import type { Database } from '../db/schema.js';
import type { Actor, AppContext } from './context.js';
import { hmacHex, keyring, sameHex } from './integrity-keys.js';

export type AuditEntry = {
  actor: Actor;
  action: string; // verb-noun, e.g. 'enterprise.update'
  resourceType: string;
  resourceId: string | null;
  enterpriseId?: string | null;
  before?: unknown;
  after?: unknown;
  at: Date;
};

export function auditRow(e: AuditEntry) {
  return {
    id: newId(),
    at: e.at.toISOString(),
    actor_id: e.actor.id,
    actor_label: e.actor.label,
    action: e.action,
    resource_type: e.resourceType,
    resource_id: e.resourceId,
    enterprise_id: e.enterpriseId ?? null,
    before: e.before === undefined ? null : json.write(e.before),
    after: e.after === undefined ? null : json.write(e.after),
    request_id: e.actor.requestId ?? null,
  };
}

export async function writeAudit(trx: Kysely<Database>, e: AuditEntry | AuditEntry[]) {
  const rows = (Array.isArray(e) ? e : [e]).map(auditRow);
  // Chunked: SQLite caps bound parameters per statement.
  for (let i = 0; i < rows.length; i += 500) {
    await trx
      .insertInto('audit_log')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

/** Field-by-field differences between two flat records, for history views. */
export function diffFields(before: Record<string, unknown> | null, after: Record<string, unknown> | null) {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: { field: string; before: unknown; after: unknown }[] = [];
  for (const k of keys) {
    const b = before?.[k] ?? null;
    const a = after?.[k] ?? null;
    if (JSON.stringify(b) !== JSON.stringify(a)) changes.push({ field: k, before: b, after: a });
  }
  return changes;
}

// ---- the audit log's own chain --------------------------------------------------------------------
//
// Writers insert audit rows as before: there is no row every writer must lock, so app nodes on one
// PostgreSQL never queue behind each other for the audit log. A sealer (every minute in `serve`,
// and before every checkpoint) takes the rows older than a small lag, in id order (UUIDv7: the time
// they were made), and writes one seal per batch: how many rows, the SHA-256 digest of their
// content, and an HMAC over that and the previous seal's HMAC. Rows are tamper-evident from the
// moment they are sealed; the unsealed window is the lag plus the sealing interval (about a minute
// and a half). A transaction that commits an audit row later than the lag after its id was made
// would land inside a sealed range and be reported as inserted: transactions are short here, and
// the lag is far longer than any of them.

export const AUDIT_SEAL_LAG_MS = 30_000;
const SEAL_BATCH = 5_000;
const GENESIS_MAC = '0'.repeat(64);

type AuditRow = Database['audit_log'];
type SealRow = Database['audit_seals'];

/** The content of one audit row in a fixed order (every column). */
const auditRowText = (r: AuditRow) =>
  JSON.stringify([
    r.id,
    r.at,
    r.actor_id,
    r.actor_label,
    r.action,
    r.resource_type,
    r.resource_id,
    r.enterprise_id,
    r.before,
    r.after,
    r.request_id,
  ]);

function digestOf(rows: AuditRow[]): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(createHash('sha256').update(auditRowText(r)).digest());
  return h.digest('hex');
}

const sealText = (s: Omit<SealRow, 'kid' | 'mac'>) =>
  JSON.stringify(['audit-seal', s.no, s.first_id, s.last_id, s.rows, s.digest, s.prev_mac, s.sealed_at]);

/** The smallest UUIDv7 text made at `ms` or later: ids below it were made before `ms`. */
export function uuidv7Floor(ms: number): string {
  const h = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-`;
}

export type SealReport = { seals: number; rows: number; last: { no: number; mac: string } | null };

/**
 * Seals the audit rows made more than `lagMs` ago that no seal covers yet, in batches. When two
 * sealers race, one insert of seal `no` fails on the primary key and that sealer stops until its
 * next turn.
 */
export async function sealAuditLog(
  ctx: Pick<AppContext, 'db' | 'clock' | 'config'>,
  opts: { lagMs?: number } = {},
): Promise<SealReport> {
  const keys = keyring(ctx.config);
  // Ids are stamped by the system clock (core/ids.ts), not the injected one: so is the lag.
  const bound = uuidv7Floor(Date.now() - (opts.lagMs ?? AUDIT_SEAL_LAG_MS));
  let seals = 0;
  let rows = 0;
  let last = await ctx.db
    .selectFrom('audit_seals')
    .select(['no', 'last_id', 'mac'])
    .orderBy('no', 'desc')
    .limit(1)
    .executeTakeFirst();
  for (;;) {
    let q = ctx.db.selectFrom('audit_log').selectAll().where('id', '<', bound);
    if (last) q = q.where('id', '>', last.last_id);
    const batch = await q.orderBy('id').limit(SEAL_BATCH).execute();
    if (batch.length === 0) break;
    const seal = {
      no: (last?.no ?? 0) + 1,
      first_id: batch[0]!.id,
      last_id: batch[batch.length - 1]!.id,
      rows: batch.length,
      digest: digestOf(batch),
      prev_mac: last?.mac ?? GENESIS_MAC,
      sealed_at: ctx.clock.now().toISOString(),
    };
    const row: SealRow = { ...seal, kid: keys.signer.kid, mac: hmacHex(keys.signer.key, sealText(seal)) };
    try {
      await ctx.db.insertInto('audit_seals').values(row).execute();
    } catch (err) {
      // Another node sealed this number first: it will carry on; so will we, next time.
      const taken = await ctx.db
        .selectFrom('audit_seals')
        .select('no')
        .where('no', '=', row.no)
        .executeTakeFirst();
      if (taken) break;
      throw err;
    }
    seals += 1;
    rows += batch.length;
    last = { no: row.no, last_id: row.last_id, mac: row.mac };
  }
  return { seals, rows, last: last ? { no: last.no, mac: last.mac } : null };
}

/** Seals every minute (serve); returns a stop function. */
export function startAuditSealer(ctx: AppContext, intervalMs = 60_000) {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await sealAuditLog(ctx);
    } catch (err) {
      ctx.log.error({ err }, 'audit sealing failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export type AuditLogProblem = {
  sealNo: number | null;
  problem: 'sealMac' | 'sealChain' | 'rowsChanged' | 'unknownKey' | 'checkpointSeal';
  firstId: string | null;
  lastId: string | null;
  message: { zh: string; en: string };
};

export type AuditLogReport = {
  seals: number;
  sealedRows: number;
  /** rows no seal covers yet (the window: newer than the last seal) */
  unsealedRows: number;
  problem: AuditLogProblem | null;
};

/**
 * Checks the audit log's chain: every seal's HMAC (with the key of its id) and its link to the one
 * before, and that the rows each seal covers are still exactly those rows (none changed, removed or
 * added). With `expect` (the seal named by the latest checkpoint), that seal must still be there.
 */
export async function verifyAuditLog(
  ctx: Pick<AppContext, 'db' | 'config'>,
  opts: { expect?: { no: number; mac: string } | null } = {},
): Promise<AuditLogReport> {
  const keys = keyring(ctx.config);
  const seals = await ctx.db.selectFrom('audit_seals').selectAll().orderBy('no').execute();
  let prev: SealRow | null = null;
  let sealedRows = 0;
  const fail = (s: SealRow | null, problem: AuditLogProblem['problem'], zh: string, en: string) => ({
    seals: seals.length,
    sealedRows,
    unsealedRows: 0,
    problem: {
      sealNo: s?.no ?? null,
      problem,
      firstId: s?.first_id ?? null,
      lastId: s?.last_id ?? null,
      message: { zh, en },
    },
  });
  for (const s of seals) {
    const key = keys.key(s.kid);
    if (!key)
      return fail(
        s,
        'unknownKey',
        `审计封存第 ${s.no} 号的密钥 ${s.kid} 未配置`,
        `Audit seal ${s.no} names key ${s.kid}, which is not configured`,
      );
    const { kid: _k, mac, ...body } = s;
    if (!sameHex(hmacHex(key, sealText(body)), mac))
      return fail(
        s,
        'sealMac',
        `审计封存第 ${s.no} 号被改动 (HMAC 不符)`,
        `Audit seal ${s.no} was altered (HMAC mismatch)`,
      );
    if (s.no !== (prev?.no ?? 0) + 1 || s.prev_mac !== (prev?.mac ?? GENESIS_MAC))
      return fail(
        s,
        'sealChain',
        `审计封存第 ${s.no} 号之前的封存缺失或被替换`,
        `The seals before audit seal ${s.no} are missing or replaced`,
      );
    // The rows the seal covers: every row after the previous seal up to its last id.
    let q = ctx.db.selectFrom('audit_log').selectAll().where('id', '<=', s.last_id);
    if (prev) q = q.where('id', '>', prev.last_id);
    const rows = await q.orderBy('id').execute();
    if (rows.length !== s.rows || rows[0]?.id !== s.first_id || digestOf(rows) !== s.digest)
      return fail(
        s,
        'rowsChanged',
        `审计日志在封存第 ${s.no} 号范围内 (${s.first_id} … ${s.last_id}) 被改动、删除或插入: 封存 ${s.rows} 行, 现有 ${rows.length} 行`,
        `Audit rows sealed by seal ${s.no} (${s.first_id} … ${s.last_id}) were changed, deleted or inserted: ${s.rows} sealed, ${rows.length} there now`,
      );
    sealedRows += rows.length;
    prev = s;
  }
  if (opts.expect) {
    const named = seals.find((s) => s.no === opts.expect!.no);
    if (!named || named.mac !== opts.expect.mac)
      return fail(
        named ?? null,
        'checkpointSeal',
        `最新检查点记载的审计封存第 ${opts.expect.no} 号已不存在或被替换 (审计日志末尾被截断)`,
        `Audit seal ${opts.expect.no}, named by the latest checkpoint, is gone or replaced (the audit log was truncated)`,
      );
  }
  let rest = ctx.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n'));
  if (prev) rest = rest.where('id', '>', prev.last_id);
  const unsealed = Number((await rest.executeTakeFirst())?.n ?? 0);
  return { seals: seals.length, sealedRows, unsealedRows: unsealed, problem: null };
}
