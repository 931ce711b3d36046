// The quality-credit archive: append-only records, one hash chain per enterprise. A record is never
// edited; a correction is a reversal record pointing to the record it cancels. Each link is an
// HMAC under a key kept outside the database (platform/integrity-keys.ts), named by the record's
// `kid`, so whoever can only write the database cannot re-seal a changed record. `verifyChains`
// recomputes every link and names the first that does not hold; given the pins of the signed
// checkpoints (integrity/checkpoint.ts) it also finds chains deleted whole and history rewritten
// before a checkpoint.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import type { AppContext } from '../../platform/context.js';
import { hmacHex, type Keyring, keyring, sameHex } from '../../platform/integrity-keys.js';
import type { CreditRecord } from './grade.js';
import type { Severity } from './rules.js';

export const GENESIS_HASH = '0'.repeat(64);

type RecordRow = Database['credit_records'];
type Unhashed = Omit<RecordRow, 'hash'>;

/**
 * The fields a link covers, in a fixed order: every column but the hash itself. A keyed row
 * (`kid` set) is an HMAC-SHA256 under that key over the fields and the kid; a legacy row (written
 * before 0220, `kid` null) is the plain SHA-256 of the fields, as it always was.
 */
export function recordHash(r: Unhashed, key?: Buffer): string {
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
  if (r.kid === null) return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  if (!key) throw new Error(`recordHash: the key ${r.kid} is needed`);
  return hmacHex(key, JSON.stringify([...fields, r.kid]));
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
  ctx: Pick<AppContext, 'clock' | 'dialect' | 'config'>,
  input: NewRecord,
): Promise<RecordRow> {
  const { signer } = keyring(ctx.config);
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
    kid: signer.kid,
  };
  const row: RecordRow = { ...unhashed, hash: recordHash(unhashed, signer.key) };
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
  problem:
    | 'hashMismatch'
    | 'brokenLink'
    | 'gap'
    | 'headMismatch'
    | 'missingHead'
    | 'unknownKey'
    | 'legacy'
    | 'checkpointMismatch'
    | 'chainDeleted';
  message: { zh: string; en: string };
};

/** What a signed checkpoint says each chain held: enterprise → its head's seq and hash then. */
export type ChainPins = Map<string, { seq: number; hash: string }>;

export type VerifyOptions = {
  onProgress?: (done: number, total: number) => void;
  /**
   * The first and the latest checkpoint's pins: every link they name must still be there with the
   * same hash (catches chains deleted whole and history rewritten before the checkpoint); legacy
   * rows (no key) are accepted only as far as the first checkpoint covers them.
   */
  pins?: { first: ChainPins; latest: ChainPins; firstNo: number; latestNo: number } | null;
};

export type VerifyReport = {
  chains: number;
  records: number;
  /** records hashed without a key (before 0220), accepted because the first checkpoint covers them */
  legacyRecords: number;
  firstBroken: ChainProblem | null;
};

/**
 * Walks every chain in (enterprise, seq) order, in pages, and stops at the first broken link:
 * content altered (HMAC), a record removed or inserted (prev_hash / seq gap), a truncated tail
 * (head), a link or a whole chain a checkpoint names gone or changed.
 */
export async function verifyChains(
  ctx: Pick<AppContext, 'db' | 'config'>,
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const { db } = ctx;
  const keys: Keyring = keyring(ctx.config);
  const pins = opts.pins ?? null;
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
  const pinned = new Set(pins ? [...pins.first.keys(), ...pins.latest.keys()] : []);
  let records = 0;
  let legacyRecords = 0;
  let chains = 0;
  let current: { id: string; seq: number; hash: string; keyed: boolean } | null = null;
  const fail = async (p: Omit<ChainProblem, 'uscc'>): Promise<VerifyReport> => {
    const e = await db
      .selectFrom('enterprises')
      .select('uscc')
      .where('id', '=', p.enterpriseId)
      .executeTakeFirst();
    return { chains, records, legacyRecords, firstBroken: { ...p, uscc: e?.uscc ?? null } };
  };
  const closeChain = (): Omit<ChainProblem, 'uscc'> | null => {
    if (!current) return null;
    const head = heads.get(current.id);
    heads.delete(current.id);
    pinned.delete(current.id);
    if (pins)
      for (const [which, no, map] of [
        ['最新', pins.latestNo, pins.latest],
        ['首个', pins.firstNo, pins.first],
      ] as const) {
        const pin = map.get(current.id);
        if (pin && pin.seq > current.seq)
          return problem(
            current.id,
            current.seq,
            null,
            'checkpointMismatch',
            `${which}检查点 #${no} 记载该链有 ${pin.seq} 条, 现仅有 ${current.seq} 条 (记录连同链头被删除)`,
            `Checkpoint #${no} records ${pin.seq} links in this chain, only ${current.seq} are left (records deleted with the head)`,
          );
      }
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
        current = { id: r.enterprise_id, seq: 0, hash: GENESIS_HASH, keyed: false };
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
      if (r.kid === null) {
        // A legacy link (no key): believed only inside what the first checkpoint pinned, and never
        // after a keyed link (a record re-sealed with the old unkeyed hash is exactly that).
        const cover = pins?.first.get(r.enterprise_id);
        if (current.keyed || !cover || cover.seq < r.seq)
          return fail(
            problem(
              r.enterprise_id,
              r.seq,
              r.id,
              'legacy',
              current.keyed
                ? `第 ${r.seq} 条记录没有密钥签名, 却排在已签名记录之后 (以无密钥哈希重新封装)`
                : pins
                  ? `第 ${r.seq} 条记录没有密钥签名, 且不在首个检查点 #${pins.firstNo} 覆盖范围内`
                  : `第 ${r.seq} 条记录没有密钥签名, 且尚无检查点为旧记录作证 (升级后请先运行 zhihui audit checkpoint)`,
              current.keyed
                ? `Link ${r.seq} carries no key yet follows a keyed link (re-sealed with the unkeyed hash)`
                : pins
                  ? `Link ${r.seq} carries no key and the first checkpoint #${pins.firstNo} does not cover it`
                  : `Link ${r.seq} carries no key and no checkpoint vouches for legacy records yet (after upgrading, run zhihui audit checkpoint once)`,
            ),
          );
        legacyRecords += 1;
      } else if (!keys.key(r.kid)) {
        return fail(
          problem(
            r.enterprise_id,
            r.seq,
            r.id,
            'unknownKey',
            `第 ${r.seq} 条记录的签名密钥 ${r.kid} 未配置 (AUDIT_KEYS)`,
            `Link ${r.seq} was signed with key ${r.kid}, which is not configured (AUDIT_KEYS)`,
          ),
        );
      }
      if (!sameHex(recordHash(rest, r.kid === null ? undefined : keys.key(r.kid)), hash))
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
      if (pins)
        for (const [no, map] of [
          [pins.latestNo, pins.latest],
          [pins.firstNo, pins.first],
        ] as const) {
          const pin = map.get(r.enterprise_id);
          if (pin && pin.seq === r.seq && pin.hash !== hash)
            return fail(
              problem(
                r.enterprise_id,
                r.seq,
                r.id,
                'checkpointMismatch',
                `第 ${r.seq} 条记录与检查点 #${no} 记载的哈希不符 (检查点之前的历史被改写)`,
                `Link ${r.seq} differs from the hash checkpoint #${no} recorded (history before the checkpoint was rewritten)`,
              ),
            );
        }
      current = { id: r.enterprise_id, seq: r.seq, hash, keyed: current.keyed || r.kid !== null };
      records += 1;
    }
    after = ids[ids.length - 1]!;
    opts.onProgress?.(records, total);
  }
  const p = closeChain();
  if (p) return fail(p);
  // A chain a checkpoint names with no records left: deleted whole, head and all.
  for (const id of [...pinned].sort()) {
    const pin = pins!.latest.get(id) ?? pins!.first.get(id)!;
    return fail(
      problem(
        id,
        pin.seq,
        null,
        'chainDeleted',
        `检查点记载的整条信用记录链 (${pin.seq} 条) 已被删除`,
        `The whole chain of ${pin.seq} records a checkpoint names was deleted`,
      ),
    );
  }
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
  return { chains, records, legacyRecords, firstBroken: null };
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
