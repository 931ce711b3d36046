// The quality-credit archive: append-only records, one hash chain per enterprise. A record is never
// edited; a correction is a reversal record pointing to the record it cancels. `verifyChains`
// recomputes every link and names the first that does not hold.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import type { AppContext } from '../../platform/context.js';
import type { CreditRecord } from './grade.js';
import type { Severity } from './rules.js';

export const GENESIS_HASH = '0'.repeat(64);

type RecordRow = Database['credit_records'];
type Unhashed = Omit<RecordRow, 'hash'>;

/** The fields a link covers, in a fixed order: every column but the hash itself. */
export function recordHash(r: Unhashed): string {
  const fields = [
    r.id,
    r.enterprise_id,
    r.seq,
    r.kind,
    r.event_type,
    r.source_event_id,
    r.rule_id,
    r.rule_set_id,
    r.rule_set_version,
    r.points,
    r.occurred_on,
    r.effective_on,
    r.expires_on,
    r.severity,
    r.publishable,
    r.reverses_id,
    r.summary,
    r.details,
    r.evidence,
    r.recorded_at,
    r.recorded_by,
    r.prev_hash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export type NewRecord = {
  enterpriseId: string;
  kind: 'event' | 'manual' | 'reversal';
  eventType: string;
  sourceEventId: string | null;
  ruleId: string;
  ruleSetId: string;
  ruleSetVersion: number;
  points: number;
  occurredOn: string;
  effectiveOn: string;
  expiresOn: string;
  severity: Severity;
  publishable: boolean;
  reversesId: string | null;
  summary: string;
  details: Record<string, unknown>;
  evidence: string[];
  recordedBy: string;
};

/** Appends one record at the end of its enterprise's chain (the head row serialises writers). */
export async function appendRecord(
  trx: Kysely<Database>,
  ctx: Pick<AppContext, 'clock' | 'dialect'>,
  input: NewRecord,
): Promise<RecordRow> {
  let headQuery = trx
    .selectFrom('credit_chain_heads')
    .select(['seq', 'hash'])
    .where('enterprise_id', '=', input.enterpriseId);
  if (ctx.dialect === 'postgres') headQuery = headQuery.forUpdate();
  let head = await headQuery.executeTakeFirst();
  if (!head && ctx.dialect === 'postgres') {
    // First record of this enterprise: create the head, then lock it, so two first appends queue up.
    await trx
      .insertInto('credit_chain_heads')
      .values({ enterprise_id: input.enterpriseId, seq: 0, hash: GENESIS_HASH })
      .onConflict((oc) => oc.column('enterprise_id').doNothing())
      .execute();
    head = await headQuery.executeTakeFirst();
  }
  const seq = (head?.seq ?? 0) + 1;
  const unhashed: Unhashed = {
    id: newId(),
    enterprise_id: input.enterpriseId,
    seq,
    kind: input.kind,
    event_type: input.eventType,
    source_event_id: input.sourceEventId,
    rule_id: input.ruleId,
    rule_set_id: input.ruleSetId,
    rule_set_version: input.ruleSetVersion,
    points: input.points,
    occurred_on: input.occurredOn,
    effective_on: input.effectiveOn,
    expires_on: input.expiresOn,
    severity: input.severity,
    publishable: input.publishable ? 1 : 0,
    reverses_id: input.reversesId,
    summary: input.summary,
    details: json.write(input.details),
    evidence: json.write(input.evidence),
    recorded_at: ctx.clock.now().toISOString(),
    recorded_by: input.recordedBy,
    prev_hash: head?.hash ?? GENESIS_HASH,
  };
  const row: RecordRow = { ...unhashed, hash: recordHash(unhashed) };
  await trx.insertInto('credit_records').values(row).execute();
  await trx
    .insertInto('credit_chain_heads')
    .values({ enterprise_id: input.enterpriseId, seq, hash: row.hash })
    .onConflict((oc) => oc.column('enterprise_id').doUpdateSet({ seq, hash: row.hash }))
    .execute();
  return row;
}

export const toCreditRecord = (r: RecordRow): CreditRecord => ({
  id: r.id,
  enterpriseId: r.enterprise_id,
  ruleId: r.rule_id,
  ruleSetId: r.rule_set_id,
  ruleSetVersion: r.rule_set_version,
  points: r.points,
  occurredOn: r.occurred_on,
  effectiveOn: r.effective_on,
  expiresOn: r.expires_on,
  severity: r.severity as Severity,
  publishable: r.publishable === 1,
  reversesId: r.reverses_id,
});

export async function archiveRows(db: Kysely<Database>, enterpriseId: string): Promise<RecordRow[]> {
  return db
    .selectFrom('credit_records')
    .selectAll()
    .where('enterprise_id', '=', enterpriseId)
    .orderBy('seq')
    .execute();
}

export type ChainProblem = {
  enterpriseId: string;
  uscc: string | null;
  seq: number;
  recordId: string | null;
  problem: 'hashMismatch' | 'brokenLink' | 'gap' | 'headMismatch' | 'missingHead';
  message: { zh: string; en: string };
};

export type VerifyReport = { chains: number; records: number; firstBroken: ChainProblem | null };

/**
 * Walks every chain in (enterprise, seq) order, in pages, and stops at the first broken link:
 * content altered (hash), a record removed or inserted (prev_hash / seq gap), a truncated tail (head).
 */
export async function verifyChains(
  db: Kysely<Database>,
  onProgress?: (done: number, total: number) => void,
): Promise<VerifyReport> {
  const total = Number(
    (
      await db
        .selectFrom('credit_records')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst()
    )?.n ?? 0,
  );
  const heads = new Map(
    (await db.selectFrom('credit_chain_heads').selectAll().execute()).map((h) => [h.enterprise_id, h]),
  );
  let records = 0;
  let chains = 0;
  let current: { id: string; seq: number; hash: string } | null = null;
  const fail = async (p: Omit<ChainProblem, 'uscc'>): Promise<VerifyReport> => {
    const e = await db
      .selectFrom('enterprises')
      .select('uscc')
      .where('id', '=', p.enterpriseId)
      .executeTakeFirst();
    return { chains, records, firstBroken: { ...p, uscc: e?.uscc ?? null } };
  };
  const closeChain = (): Omit<ChainProblem, 'uscc'> | null => {
    if (!current) return null;
    const head = heads.get(current.id);
    heads.delete(current.id);
    if (!head)
      return problem(
        current.id,
        current.seq,
        null,
        'missingHead',
        '链头记录缺失',
        'The chain head is missing',
      );
    if (head.seq !== current.seq || head.hash !== current.hash)
      return problem(
        current.id,
        current.seq,
        null,
        'headMismatch',
        `链尾与链头不符: 链头为第 ${head.seq} 条, 实际最后为第 ${current.seq} 条 (记录被删除或截断)`,
        `The chain ends at link ${current.seq} but its head says ${head.seq} (records deleted or truncated)`,
      );
    return null;
  };
  // Pages of whole chains: a batch of enterprise ids, then their records in chain order (index range).
  let after = '';
  for (;;) {
    const ids = (
      await db
        .selectFrom('credit_records')
        .select('enterprise_id')
        .distinct()
        .where('enterprise_id', '>', after)
        .orderBy('enterprise_id')
        .limit(2000)
        .execute()
    ).map((r) => r.enterprise_id);
    if (ids.length === 0) break;
    const page = await db
      .selectFrom('credit_records')
      .selectAll()
      .where('enterprise_id', '>=', ids[0]!)
      .where('enterprise_id', '<=', ids[ids.length - 1]!)
      .orderBy('enterprise_id')
      .orderBy('seq')
      .execute();
    for (const r of page) {
      if (!current || current.id !== r.enterprise_id) {
        const p = closeChain();
        if (p) return fail(p);
        chains += 1;
        current = { id: r.enterprise_id, seq: 0, hash: GENESIS_HASH };
      }
      if (r.seq !== current.seq + 1)
        return fail(
          problem(
            r.enterprise_id,
            r.seq,
            r.id,
            'gap',
            `第 ${current.seq + 1} 条记录缺失 (下一条为第 ${r.seq} 条)`,
            `Link ${current.seq + 1} is missing (next is ${r.seq})`,
          ),
        );
      if (r.prev_hash !== current.hash)
        return fail(
          problem(
            r.enterprise_id,
            r.seq,
            r.id,
            'brokenLink',
            `第 ${r.seq} 条记录的前序哈希与上一条不符`,
            `Link ${r.seq} does not point to the hash of the link before it`,
          ),
        );
      const { hash, ...rest } = r;
      if (recordHash(rest) !== hash)
        return fail(
          problem(
            r.enterprise_id,
            r.seq,
            r.id,
            'hashMismatch',
            `第 ${r.seq} 条记录的内容已被改动 (哈希不符)`,
            `The content of link ${r.seq} was altered (hash mismatch)`,
          ),
        );
      current = { id: r.enterprise_id, seq: r.seq, hash };
      records += 1;
    }
    after = ids[ids.length - 1]!;
    onProgress?.(records, total);
  }
  const p = closeChain();
  if (p) return fail(p);
  // A head with no records left: the whole chain was deleted.
  for (const h of heads.values()) {
    if (h.seq > 0)
      return fail(
        problem(
          h.enterprise_id,
          1,
          null,
          'gap',
          '整条信用记录链已被删除',
          'The whole chain of records was deleted',
        ),
      );
  }
  return { chains, records, firstBroken: null };
}

function problem(
  enterpriseId: string,
  seq: number,
  recordId: string | null,
  kind: ChainProblem['problem'],
  zh: string,
  en: string,
): Omit<ChainProblem, 'uscc'> {
  return { enterpriseId, seq, recordId, problem: kind, message: { zh, en } };
}
