// Objections and replies in the database, around the pure machine in objections.ts. An upheld
// objection appends a reversal record and regrades, in the same transaction as the decision.
import type { Kysely } from 'kysely';
import { AppError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import type { Actor, AppContext } from '../../platform/context.js';
import type { EventType } from '../../platform/events/catalogue.js';
import { emitEvents } from '../../platform/events/outbox.js';
import type { MachineActor } from './blacklist-store.js';
import {
  addReply,
  createObjection,
  type Objection,
  type ObjectionAction,
  type Reply,
  transitionObjection,
} from './objections.js';
import { summaryText } from './record-types.js';
import { attachEvidence, checkEvidence, recordDetails, reverseRecord, today } from './records.js';

type Row = Database['credit_objections'];
export const objectionOf = (r: Row) => json.read(r.body, {}) as Objection;

export async function submitObjection(
  ctx: AppContext,
  actor: Actor,
  recordId: string,
  input: { grounds: string; evidenceIds?: string[] },
) {
  return ctx.db.transaction().execute(async (trx) => {
    const record = await trx
      .selectFrom('credit_records')
      .selectAll()
      .where('id', '=', recordId)
      .executeTakeFirst();
    if (!record) throw notFound({ zh: '信用记录', en: 'Credit record' });
    if (record.kind === 'reversal')
      throw new AppError('INVALID_STATE', {
        message: { zh: '不能对更正记录提出异议', en: 'A reversal cannot be disputed' },
      });
    const reversed = await trx
      .selectFrom('credit_records')
      .select('id')
      .where('reverses_id', '=', recordId)
      .executeTakeFirst();
    if (reversed)
      throw new AppError('INVALID_STATE', {
        message: { zh: '该记录已被更正', en: 'This record has already been reversed' },
      });
    const pending = await trx
      .selectFrom('credit_objections')
      .select('id')
      .where('record_id', '=', recordId)
      .where('state', 'in', ['submitted', 'underReview'])
      .executeTakeFirst();
    if (pending)
      throw new AppError('ALREADY_EXISTS', {
        message: { zh: '该记录已有处理中的异议', en: 'An objection to this record is already pending' },
      });
    const evidence = [...new Set(input.evidenceIds ?? [])];
    await checkEvidence(trx, evidence, record.enterprise_id, actor);
    const objection = createObjection({
      id: newId(),
      enterpriseId: record.enterprise_id,
      recordId,
      grounds: input.grounds,
      submittedOn: today(ctx),
      calendar: ctx.calendar,
    });
    const now = ctx.clock.now().toISOString();
    await trx
      .insertInto('credit_objections')
      .values({
        id: objection.id,
        enterprise_id: record.enterprise_id,
        record_id: recordId,
        state: objection.state,
        body: json.write(objection),
        evidence: json.write(evidence),
        reversal_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await attachEvidence(trx, evidence, record.enterprise_id, ctx.clock.now());
    await writeAudit(trx, {
      actor,
      action: 'objection.submit',
      resourceType: 'objection',
      resourceId: objection.id,
      enterpriseId: record.enterprise_id,
      after: objection,
      at: ctx.clock.now(),
    });
    await emitObjectionEvent(trx, ctx, objection, 'credit.objection.submitted');
    return objection;
  });
}

async function emitObjectionEvent(trx: Kysely<Database>, ctx: AppContext, o: Objection, type: string) {
  const e = await trx
    .selectFrom('enterprises')
    .select('uscc')
    .where('id', '=', o.enterpriseId)
    .executeTakeFirstOrThrow();
  const record = await trx
    .selectFrom('credit_records')
    .select(['summary', 'event_type', 'details'])
    .where('id', '=', o.recordId)
    .executeTakeFirst();
  const summary = record
    ? summaryText(record.event_type, recordDetails(record))
    : { zh: o.recordId, en: o.recordId };
  await emitEvents(
    trx,
    [
      {
        type: type as EventType,
        occurredAt: today(ctx),
        enterpriseId: o.enterpriseId,
        aggregateId: o.id,
        payload: {
          enterpriseId: o.enterpriseId,
          uscc: e.uscc,
          objectionId: o.id,
          recordId: o.recordId,
          source: `信用记录异议 · 被异议记录: ${summary.zh}`,
          sourceEn: `Objection to a credit record · record objected to: ${summary.en}`,
        } as never,
      },
    ],
    ctx.clock.now(),
  );
}

export async function actOnObjection(
  ctx: AppContext,
  actor: Actor,
  machineActor: MachineActor,
  id: string,
  action: ObjectionAction,
) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('credit_objections').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound({ zh: '异议', en: 'Objection' });
    const { objection, effects } = transitionObjection(objectionOf(row), action, {
      today: today(ctx),
      calendar: ctx.calendar,
      actor: machineActor,
    });
    let reversalId = row.reversal_id;
    for (const effect of effects) {
      if (effect.kind === 'audit')
        await writeAudit(trx, {
          actor,
          action: `objection.${effect.action}`,
          resourceType: 'objection',
          resourceId: id,
          enterpriseId: row.enterprise_id,
          before: effect.before,
          after: effect.after,
          at: ctx.clock.now(),
        });
      else if (effect.kind === 'event') await emitObjectionEvent(trx, ctx, objection, effect.type);
      else if (effect.kind === 'reversalRequest') {
        const { record } = await reverseRecord(trx, ctx, actor, {
          recordId: effect.recordId,
          reasons: `异议成立: ${effect.reasons}`,
          objectionId: id,
        });
        reversalId = record.id;
      }
    }
    await trx
      .updateTable('credit_objections')
      .set({
        state: objection.state,
        body: json.write(objection),
        reversal_id: reversalId,
        updated_at: ctx.clock.now().toISOString(),
      })
      .where('id', '=', id)
      .execute();
    return objection;
  });
}

/** The enterprise's reply beside a record: the current one is closed and kept, the new one added. */
export async function putReply(
  ctx: AppContext,
  actor: Actor,
  recordId: string,
  enterpriseId: string,
  text: string,
) {
  return ctx.db.transaction().execute(async (trx) => {
    const record = await trx
      .selectFrom('credit_records')
      .select(['id', 'enterprise_id', 'kind'])
      .where('id', '=', recordId)
      .executeTakeFirst();
    if (!record || record.enterprise_id !== enterpriseId)
      throw notFound({ zh: '信用记录', en: 'Credit record' });
    // A reply stands beside a record the public can see: not a correction, not a corrected record.
    const reversed = await trx
      .selectFrom('credit_records')
      .select('id')
      .where('reverses_id', '=', recordId)
      .executeTakeFirst();
    if (record.kind === 'reversal' || reversed)
      throw new AppError('INVALID_STATE', {
        message: {
          zh: '该记录已被更正, 无需回应',
          en: 'This record has been corrected; there is nothing to reply to',
        },
      });
    const rows = await trx
      .selectFrom('credit_replies')
      .selectAll()
      .where('record_id', '=', recordId)
      .execute();
    const replies: Reply[] = rows.map((r) => ({
      id: r.id,
      recordId: r.record_id,
      enterpriseId: r.enterprise_id,
      text: r.text,
      postedOn: r.posted_on,
      replacedOn: r.replaced_on,
    }));
    const { current, replaced } = addReply(replies, {
      id: newId(),
      recordId,
      enterpriseId,
      text,
      today: today(ctx),
    });
    if (replaced)
      await trx
        .updateTable('credit_replies')
        .set({ replaced_on: replaced.replacedOn })
        .where('id', '=', replaced.id)
        .execute();
    await trx
      .insertInto('credit_replies')
      .values({
        id: current.id,
        record_id: recordId,
        enterprise_id: enterpriseId,
        text: current.text,
        posted_on: current.postedOn,
        replaced_on: null,
        posted_at: ctx.clock.now().toISOString(),
      })
      .execute();
    await writeAudit(trx, {
      actor,
      action: 'creditReply.post',
      resourceType: 'creditRecord',
      resourceId: recordId,
      enterpriseId,
      before: replaced ? { text: replaced.text } : undefined,
      after: { text: current.text },
      at: ctx.clock.now(),
    });
    return current;
  });
}
