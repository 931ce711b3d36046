// The blacklist in the database: the pure state machine (blacklist.ts) decides; this file loads the
// entry, applies the transition and carries out its effects in one transaction: the row, the audit,
// the events, the credit record of the listing (and its reversal on withdrawal or early removal),
// and the enterprise's regrade (the blacklist veto).
import type { Kysely } from 'kysely';
import { AppError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import type { Actor, AppContext } from '../../platform/context.js';
import type { EventType } from '../../platform/events/catalogue.js';
import { emitEvents } from '../../platform/events/outbox.js';
import {
  type BlacklistAction,
  type BlacklistEntry,
  createCandidate,
  type QualifyingPenalty,
  tick,
  transition,
} from './blacklist.js';
import { regradeEnterprise } from './grading.js';
import { attachEvidence, checkEvidence, reverseRecord, scoreStoredEvent, today } from './records.js';

type Row = Database['credit_blacklist'];

/** The readable origin of a blacklist event (the enterprise timeline's "来源"). */
/** The timeline's source of a blacklist step, in both languages (payload `source`, `sourceEn`). */
const blacklistSource = (entry: BlacklistEntry) => ({
  source: `严重违法失信名单程序 · 处罚决定书 ${entry.penalty.decisionNo}`,
  sourceEn: `Blacklist procedure · penalty decision ${entry.penalty.decisionNo}`,
});
export const entryOf = (r: Row) => json.read(r.body, {}) as BlacklistEntry;

export type MachineActor = { id: string; kind: 'official' | 'enterprise' | 'system' };

async function enterpriseRef(trx: Kysely<Database>, enterpriseId: string) {
  const e = await trx
    .selectFrom('enterprises')
    .select(['id', 'uscc'])
    .where('id', '=', enterpriseId)
    .executeTakeFirstOrThrow();
  return { enterpriseId: e.id, uscc: e.uscc };
}

export async function proposeCandidate(
  ctx: AppContext,
  actor: Actor,
  enterpriseId: string,
  penalty: { decisionNo: string; decidedOn: string; restrictionEndsOn?: string | null },
) {
  return ctx.db.transaction().execute(async (trx) => {
    const open = await trx
      .selectFrom('credit_blacklist')
      .select('id')
      .where('enterprise_id', '=', enterpriseId)
      .where('state', 'in', ['candidate', 'notified', 'listed', 'published'])
      .executeTakeFirst();
    if (open)
      throw new AppError('ALREADY_EXISTS', {
        message: {
          zh: '该企业已有未结束的严重违法失信名单程序',
          en: 'This enterprise already has an open blacklist entry',
        },
      });
    const entry = createCandidate({
      id: newId(),
      enterpriseId,
      penalty: { ...penalty, restrictionEndsOn: penalty.restrictionEndsOn ?? null } as QualifyingPenalty,
    });
    if (entry.penalty.decidedOn > today(ctx))
      throw new AppError('VALIDATION_FAILED', {
        fields: [
          {
            field: 'penalty.decidedOn',
            code: 'IN_THE_FUTURE',
            message: { zh: '处罚决定日期不能晚于今天', en: 'decidedOn cannot be in the future' },
          },
        ],
      });
    const now = ctx.clock.now().toISOString();
    await trx
      .insertInto('credit_blacklist')
      .values({
        id: entry.id,
        enterprise_id: enterpriseId,
        state: entry.state,
        portal_visible: 0,
        listed_record_id: null,
        body: json.write(entry),
        created_at: now,
        updated_at: now,
      })
      .execute();
    await writeAudit(trx, {
      actor,
      action: 'blacklist.propose',
      resourceType: 'blacklistEntry',
      resourceId: entry.id,
      enterpriseId,
      after: entry,
      at: ctx.clock.now(),
    });
    await emitEvents(
      trx,
      [
        {
          type: 'credit.blacklist.candidate',
          occurredAt: today(ctx),
          enterpriseId,
          aggregateId: entry.id,
          payload: {
            ...(await enterpriseRef(trx, enterpriseId)),
            entryId: entry.id,
            state: entry.state,
            ...blacklistSource(entry),
          },
        },
      ],
      ctx.clock.now(),
    );
    return entry;
  });
}

/** Applies one action to an entry in its own transaction (or the caller's). */
export async function actOnEntry(
  ctx: AppContext,
  actor: Actor,
  machineActor: MachineActor,
  entryId: string,
  action: BlacklistAction,
  trxIn?: Kysely<Database>,
): Promise<BlacklistEntry> {
  const run = async (trx: Kysely<Database>) => {
    const row = await trx
      .selectFrom('credit_blacklist')
      .selectAll()
      .where('id', '=', entryId)
      .executeTakeFirst();
    if (!row) throw notFound({ zh: '名单记录', en: 'Blacklist entry' });
    if (action.type === 'applyRemoval') {
      await checkEvidence(trx, action.evidenceIds, row.enterprise_id, actor);
      await attachEvidence(trx, action.evidenceIds, row.enterprise_id, ctx.clock.now());
    }
    const day = today(ctx);
    const { entry, effects } = transition(entryOf(row), action, {
      today: day,
      calendar: ctx.calendar,
      actor: machineActor,
    });
    let listedRecordId = row.listed_record_id;
    const ref = await enterpriseRef(trx, row.enterprise_id);
    for (const effect of effects) {
      if (effect.kind === 'audit') {
        await writeAudit(trx, {
          actor,
          action: `blacklist.${effect.action}`,
          resourceType: 'blacklistEntry',
          resourceId: entry.id,
          enterpriseId: row.enterprise_id,
          before: effect.before,
          after: effect.after,
          at: ctx.clock.now(),
        });
      } else if (effect.kind === 'event') {
        const [eventId] = await emitEvents(
          trx,
          [
            {
              type: effect.type as EventType,
              occurredAt: day,
              enterpriseId: row.enterprise_id,
              aggregateId: entry.id,
              payload: {
                ...ref,
                entryId: entry.id,
                state: entry.state,
                ...blacklistSource(entry),
              } as never,
            },
          ],
          ctx.clock.now(),
        );
        // The listing is itself a credit fact: score it now, not when the dispatcher comes by.
        if (effect.type === 'credit.blacklist.listed') {
          const scored = await scoreStoredEvent(trx, ctx, {
            id: eventId!,
            type: effect.type,
            occurredAt: day,
            recordedAt: ctx.clock.now().toISOString(),
            enterpriseId: row.enterprise_id,
            aggregateId: entry.id,
            producer: 'credit',
            payload: { ...ref, entryId: entry.id, decisionNo: entry.penalty.decisionNo },
          });
          listedRecordId = scored?.record.id ?? null;
        }
      }
    }
    // Leaving the list before its term (penalty revoked, early removal) cancels the listing's record.
    if ((entry.state === 'withdrawn' || entry.state === 'removedEarly') && listedRecordId) {
      await reverseRecord(trx, ctx, actor, {
        recordId: listedRecordId,
        reasons:
          entry.state === 'withdrawn'
            ? `撤销列入: ${entry.penaltyRevokedBy}`
            : '信用修复: 提前移出严重违法失信名单',
      });
    }
    // A revoked penalty is no longer a fact: its own records are reversed too.
    if (entry.state === 'withdrawn') {
      for (const id of await penaltyRecordIds(trx, row.enterprise_id, entry.penalty.decisionNo))
        await reverseRecord(trx, ctx, actor, {
          recordId: id,
          reasons: `行政处罚已撤销: ${entry.penaltyRevokedBy}`,
        });
    }
    await trx
      .updateTable('credit_blacklist')
      .set({
        state: entry.state,
        portal_visible: entry.portalVisible ? 1 : 0,
        listed_record_id: listedRecordId,
        body: json.write(entry),
        updated_at: ctx.clock.now().toISOString(),
      })
      .where('id', '=', entry.id)
      .execute();
    if (entry.state !== row.state) await regradeEnterprise(trx, ctx, row.enterprise_id, day);
    return entry;
  };
  return trxIn ? run(trxIn) : ctx.db.transaction().execute(run);
}

/** Unreversed penalty records of an enterprise that carry this decision number. */
async function penaltyRecordIds(trx: Kysely<Database>, enterpriseId: string, decisionNo: string) {
  const rows = await trx
    .selectFrom('credit_records as r')
    .select(['r.id', 'r.details'])
    .where('r.enterprise_id', '=', enterpriseId)
    .where('r.event_type', '=', 'credit.penalty.recorded')
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('credit_records as x').select('x.id').whereRef('x.reverses_id', '=', 'r.id'))),
    )
    .execute();
  return rows
    .filter((r) => (json.read(r.details, {}) as { decisionNo?: string }).decisionNo === decisionNo)
    .map((r) => r.id);
}

/** The daily job: entries whose term has ended leave the list. */
export async function expireDueEntries(ctx: AppContext): Promise<number> {
  const rows = await ctx.db
    .selectFrom('credit_blacklist')
    .selectAll()
    .where('state', 'in', ['listed', 'published'])
    .execute();
  const day = today(ctx);
  let n = 0;
  for (const row of rows) {
    for (const action of tick(entryOf(row), day)) {
      await actOnEntry(ctx, { id: null, label: 'system' }, { id: 'system', kind: 'system' }, row.id, action);
      n += 1;
    }
  }
  return n;
}
