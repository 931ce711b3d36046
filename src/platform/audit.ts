// Every mutation writes one audit row in the same transaction as the change: who, what, before,
// after, when. Callers pass the transaction they are already in.
import type { Kysely } from 'kysely';
import { newId } from '../core/ids.js';
import { json } from '../db/codecs.js';
import type { Database } from '../db/schema.js';
import type { Actor } from './context.js';

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
