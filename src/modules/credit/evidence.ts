// Limits on evidence files: a rate per uploader, a quota per enterprise (and per official for files
// not yet attached), and the daily purge of uploads nothing ever used.
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';

export const EVIDENCE_LIMITS = {
  /** uploads per user in RATE_WINDOW_MINUTES */
  perUserPerWindow: 20,
  rateWindowMinutes: 10,
  /** files and bytes an enterprise may hold (its own uploads) */
  enterpriseFiles: 200,
  enterpriseBytes: 500 * 1024 * 1024,
  /** unattached files one official may hold at a time */
  unattachedPerUser: 50,
  /** unattached uploads older than this are purged by the daily job */
  purgeAfterHours: 24,
} as const;

/** Throws 429 when the uploader is over the rate or the enterprise over its quota. */
export async function checkEvidenceLimits(
  db: Kysely<Database>,
  now: Date,
  upload: { uploadedBy: string; enterpriseId: string | null; size: number },
) {
  const L = EVIDENCE_LIMITS;
  const since = new Date(now.getTime() - L.rateWindowMinutes * 60_000).toISOString();
  const recent = await db
    .selectFrom('credit_evidence')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('uploaded_by', '=', upload.uploadedBy)
    .where('uploaded_at', '>', since)
    .executeTakeFirstOrThrow();
  if (Number(recent.n) >= L.perUserPerWindow)
    throw new AppError('RATE_LIMITED', {
      message: {
        zh: `上传过于频繁：每${L.rateWindowMinutes}分钟最多上传${L.perUserPerWindow}份证明材料`,
        en: `Too many uploads: at most ${L.perUserPerWindow} evidence files every ${L.rateWindowMinutes} minutes`,
      },
      retryAfterSeconds: L.rateWindowMinutes * 60,
    });
  if (upload.enterpriseId) {
    const held = await db
      .selectFrom('credit_evidence')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('bytes')])
      .where('uploaded_by_enterprise', '=', upload.enterpriseId)
      .executeTakeFirstOrThrow();
    if (Number(held.n) >= L.enterpriseFiles || Number(held.bytes ?? 0) + upload.size > L.enterpriseBytes)
      throw new AppError('RATE_LIMITED', {
        message: {
          zh: `本企业证明材料已达上限（${L.enterpriseFiles}份或${L.enterpriseBytes / 1024 / 1024} MB），请联系监管部门`,
          en: `Your enterprise has reached its evidence quota (${L.enterpriseFiles} files or ${L.enterpriseBytes / 1024 / 1024} MB)`,
        },
      });
  } else {
    const loose = await db
      .selectFrom('credit_evidence')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('uploaded_by', '=', upload.uploadedBy)
      .where('attached_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(loose.n) >= L.unattachedPerUser)
      throw new AppError('RATE_LIMITED', {
        message: {
          zh: `未使用的证明材料已达${L.unattachedPerUser}份，请先在记录或异议中使用或等待清理`,
          en: `You hold ${L.unattachedPerUser} unused evidence files; use them or wait for the daily clean-up`,
        },
      });
  }
}

/** The daily job: deletes uploads never attached to anything after a day, with one audit row. */
export async function purgeUnattachedEvidence(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const before = new Date(now.getTime() - EVIDENCE_LIMITS.purgeAfterHours * 3_600_000).toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('credit_evidence')
      .select(['id', 'filename', 'size', 'sha256', 'uploaded_by', 'uploaded_at'])
      .where('attached_at', 'is', null)
      .where('uploaded_at', '<', before)
      .execute();
    if (rows.length === 0) return 0;
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .deleteFrom('credit_evidence')
        .where(
          'id',
          'in',
          rows.slice(i, i + 500).map((r) => r.id),
        )
        .execute();
    await writeAudit(trx, {
      actor: { id: null, label: 'system' },
      action: 'creditEvidence.purge',
      resourceType: 'creditEvidence',
      resourceId: `unattached-before-${before}`,
      before: { files: rows },
      after: { deleted: rows.length },
      at: now,
    });
    return rows.length;
  });
}
