// The append-only outbox: events are written in the same transaction as the change that caused
// them, and a dispatcher hands each one to every subscribed handler exactly once per handler.
import type { Kysely } from 'kysely';
import { Value } from 'typebox/value';
import { newId } from '../../core/ids.js';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { EVENT_CATALOGUE, type EventPayload, type EventType } from './catalogue.js';

export type StoredEvent = {
  id: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  enterpriseId: string | null;
  aggregateId: string | null;
  producer: string;
  payload: unknown;
};

export type NewEvent<T extends EventType> = {
  type: T;
  occurredAt: Date | string; // business time of the fact (a date or a timestamp)
  enterpriseId?: string | null;
  aggregateId?: string | null;
  payload: EventPayload<T>;
};

export function eventRow<T extends EventType>(e: NewEvent<T>, recordedAt: Date) {
  const spec = EVENT_CATALOGUE[e.type];
  if (!spec) throw new Error(`Event type ${e.type} is not in the catalogue`);
  if (!Value.Check(spec.payload, e.payload)) {
    const first = [...Value.Errors(spec.payload, e.payload)][0];
    throw new Error(`Payload of ${e.type} does not match its schema: ${first?.message ?? 'invalid'}`);
  }
  return {
    id: newId(),
    type: e.type,
    occurred_at: typeof e.occurredAt === 'string' ? e.occurredAt : e.occurredAt.toISOString(),
    recorded_at: recordedAt.toISOString(),
    enterprise_id: e.enterpriseId ?? null,
    aggregate_id: e.aggregateId ?? null,
    producer: spec.producer,
    payload: json.write(e.payload),
  };
}

export async function emitEvents(trx: Kysely<Database>, events: NewEvent<EventType>[], recordedAt: Date) {
  const rows = events.map((e) => eventRow(e, recordedAt));
  for (let i = 0; i < rows.length; i += 400) {
    await trx
      .insertInto('outbox_events')
      .values(rows.slice(i, i + 400))
      .execute();
  }
  return rows.map((r) => r.id);
}

export type EventHandler = {
  name: string; // stable: deliveries are keyed by it
  types: string[];
  handle: (ctx: AppContext, trx: Kysely<Database>, event: StoredEvent) => Promise<void>;
};

const toStored = (r: Database['outbox_events']): StoredEvent => ({
  id: r.id,
  type: r.type,
  occurredAt: r.occurred_at,
  recordedAt: r.recorded_at,
  enterpriseId: r.enterprise_id,
  aggregateId: r.aggregate_id,
  producer: r.producer,
  payload: json.read(r.payload, {}),
});

/**
 * Delivers pending events to each handler, oldest first. A handler's work and its delivery
 * row commit together, so a crash re-delivers at most the event in flight, and a handler that
 * sees an event twice is stopped by the delivery's primary key.
 */
export async function dispatchPending(ctx: AppContext, handlers: EventHandler[], batchSize = 500) {
  let delivered = 0;
  for (const h of handlers) {
    for (;;) {
      const pending = await ctx.db
        .selectFrom('outbox_events as e')
        .selectAll('e')
        .where('e.type', 'in', h.types)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('event_deliveries as d')
                .select('d.event_id')
                .whereRef('d.event_id', '=', 'e.id')
                .where('d.handler', '=', h.name),
            ),
          ),
        )
        .orderBy('e.id')
        .limit(batchSize)
        .execute();
      if (pending.length === 0) break;
      for (const row of pending) {
        await ctx.db.transaction().execute(async (trx) => {
          const claimed = await trx
            .insertInto('event_deliveries')
            .values({ event_id: row.id, handler: h.name, processed_at: ctx.clock.now().toISOString() })
            .onConflict((oc) => oc.columns(['event_id', 'handler']).doNothing())
            .executeTakeFirst();
          if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return;
          await h.handle(ctx, trx, toStored(row));
          delivered++;
        });
      }
      if (pending.length < batchSize) break;
    }
  }
  return delivered;
}

export async function eventsForEnterprise(ctx: AppContext, enterpriseId: string, limit = 200) {
  const rows = await ctx.db
    .selectFrom('outbox_events')
    .selectAll()
    .where('enterprise_id', '=', enterpriseId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toStored);
}
