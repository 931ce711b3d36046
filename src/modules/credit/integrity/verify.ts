// `audit verify`: everything someone holding only the database could have changed, checked against
// what they cannot forge — the keyed archive, the signed checkpoints, the sealed audit log.
//   1. every credit chain link (HMAC with the key of its id), and every link the latest (and the
//      first) checkpoint pins still there with the same hash;
//   2. every published rule set the latest checkpoint names is unchanged, and every stored grade equals the grade recomputed from the archive (today, or yesterday when
//      the daily regrade has not run yet);
//   3. every blacklist row agrees with its listing record (reversed or not) and with the last
//      audit entry written for it;
//   4. the audit log's own chain of seals, up to the seal the latest checkpoint names.

import { addCalendarDays, todayInShanghai } from '../../../core/workdays.js';
import { json } from '../../../db/codecs.js';
import { type AuditLogReport, verifyAuditLog } from '../../../platform/audit.js';
import type { AppContext } from '../../../platform/context.js';
import { type VerifyReport, verifyChains } from '../archive.js';
import type { BlacklistEntry } from '../blacklist.js';
import { cityScores, gradesFromScores } from '../grading.js';
import { ruleSetOn } from '../rule-store.js';
import {
  type Checkpoint,
  type CheckpointState,
  publishedRuleSetDigests,
  readCheckpoints,
} from './checkpoint.js';

type Ctx = Pick<AppContext, 'db' | 'config' | 'clock'>;
type Message = { zh: string; en: string };

export type GradeProblem = {
  enterpriseId: string;
  uscc: string | null;
  stored: { grade: string; score: number; ruleSet: string };
  computed: { grade: string; score: number; ruleSet: string } | null;
  message: Message;
};

export type GradeReport = { checked: number; mismatches: number; first: GradeProblem | null };

/**
 * Each stored grade against the archive: the grade `regradeAll` would give today, or yesterday
 * (the daily job may not have run yet today). Anything else was written by no regrade.
 */
export async function verifyGrades(ctx: Ctx): Promise<GradeReport> {
  const today = todayInShanghai(ctx.clock.now());
  const days = [today, addCalendarDays(today, -1)];
  const expected = await Promise.all(
    days.map(async (d) => {
      const ruleSet = await ruleSetOn(ctx.db, d);
      return new Map(gradesFromScores(await cityScores(ctx.db, d, ruleSet)).map((g) => [g.enterpriseId, g]));
    }),
  );
  const stored = await ctx.db
    .selectFrom('credit_grades as g')
    .leftJoin('enterprises as e', 'e.id', 'g.enterprise_id')
    .select(['g.enterprise_id', 'e.uscc', 'g.grade', 'g.score', 'g.rule_set_id', 'g.rule_set_version'])
    .orderBy('g.enterprise_id')
    .execute();
  let mismatches = 0;
  let first: GradeProblem | null = null;
  for (const s of stored) {
    const fits = expected.some((m) => {
      const c = m.get(s.enterprise_id);
      return (
        c !== undefined &&
        c.grade === s.grade &&
        c.score === Number(s.score) &&
        c.ruleSetId === s.rule_set_id &&
        c.ruleSetVersion === Number(s.rule_set_version)
      );
    });
    if (fits) continue;
    mismatches += 1;
    if (first) continue;
    const c = expected[0]!.get(s.enterprise_id) ?? null;
    const storedText = `${s.grade} (${s.score})`;
    const computedText = c ? `${c.grade} (${c.score})` : '无 none';
    first = {
      enterpriseId: s.enterprise_id,
      uscc: s.uscc ?? null,
      stored: { grade: s.grade, score: Number(s.score), ruleSet: `${s.rule_set_id}@${s.rule_set_version}` },
      computed: c ? { grade: c.grade, score: c.score, ruleSet: `${c.ruleSetId}@${c.ruleSetVersion}` } : null,
      message: {
        zh: `存储的信用等级 ${storedText} 与按档案重新计算的 ${computedText} 不符 (等级被改动, 或每日重算未运行)`,
        en: `The stored grade ${storedText} differs from the grade recomputed from the archive, ${computedText} (altered, or the daily regrade has not run)`,
      },
    };
  }
  return { checked: stored.length, mismatches, first };
}

export type BlacklistProblem = {
  entryId: string;
  enterpriseId: string;
  uscc: string | null;
  problem: 'body' | 'audit' | 'listingRecord' | 'rowMissing';
  message: Message;
};

export type BlacklistReport = { checked: number; first: BlacklistProblem | null };

const LISTING_TYPE = 'credit.blacklist.listed';
const ON_LIST = ['listed', 'published', 'expired'];
const TAKEN_OFF = ['withdrawn', 'removedEarly'];

/** Canonical JSON (sorted keys), to compare documents written by different code paths. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

/**
 * Every blacklist row against the facts it must agree with: its columns with its body, its body
 * with the last audit entry of the entry (the audit log is sealed), its listing record with its
 * state (a listing record stands while the entry is on the list or expired, and is reversed when
 * it was withdrawn or removed early); every listing record and every audited entry has its row.
 */
export async function verifyBlacklist(ctx: Ctx): Promise<BlacklistReport> {
  const [rows, listings, reversed, audits] = await Promise.all([
    ctx.db.selectFrom('credit_blacklist').selectAll().orderBy('id').execute(),
    ctx.db
      .selectFrom('credit_records')
      .select(['id', 'enterprise_id', 'details'])
      .where('event_type', '=', LISTING_TYPE)
      .where('reverses_id', 'is', null)
      .execute(),
    ctx.db
      .selectFrom('credit_records')
      .select('reverses_id')
      .where('reverses_id', 'is not', null)
      .where('event_type', '=', LISTING_TYPE)
      .execute(),
    ctx.db
      .selectFrom('audit_log')
      .select(['id', 'resource_id', 'enterprise_id', 'after'])
      .where('resource_type', '=', 'blacklistEntry')
      .orderBy('id')
      .execute(),
  ]);
  const lastAudit = new Map<string, (typeof audits)[number]>();
  for (const a of audits) if (a.resource_id) lastAudit.set(a.resource_id, a);
  const reversedIds = new Set(reversed.map((r) => r.reverses_id));
  const listingById = new Map(listings.map((l) => [l.id, l]));
  const usccs = new Map(
    (await ctx.db.selectFrom('enterprises').select(['id', 'uscc']).execute()).map((e) => [e.id, e.uscc]),
  );
  const fail = (
    entryId: string,
    enterpriseId: string,
    problem: BlacklistProblem['problem'],
    zh: string,
    en: string,
  ) => ({
    checked: rows.length,
    first: { entryId, enterpriseId, uscc: usccs.get(enterpriseId) ?? null, problem, message: { zh, en } },
  });
  const byId = new Set(rows.map((r) => r.id));
  for (const r of rows) {
    const body = json.read(r.body, null) as BlacklistEntry | null;
    if (
      !body ||
      body.id !== r.id ||
      body.enterpriseId !== r.enterprise_id ||
      body.state !== r.state ||
      body.portalVisible !== (Number(r.portal_visible) === 1)
    )
      return fail(
        r.id,
        r.enterprise_id,
        'body',
        `名单记录 ${r.id} 的状态列与其内容不符`,
        `Blacklist entry ${r.id}: its columns disagree with its body`,
      );
    const audit = lastAudit.get(r.id);
    if (!audit || canonical(json.read(audit.after ?? 'null', null)) !== canonical(body))
      return fail(
        r.id,
        r.enterprise_id,
        'audit',
        `名单记录 ${r.id} (状态 ${r.state}) 与审计日志中最后一次变更的结果不符`,
        `Blacklist entry ${r.id} (state ${r.state}) is not what the last audited change of it left`,
      );
    if (r.listed_record_id) {
      const rec = listingById.get(r.listed_record_id);
      const wasReversed = reversedIds.has(r.listed_record_id);
      const entryOfRecord = rec ? (json.read(rec.details, {}) as { entryId?: string }).entryId : undefined;
      const bad =
        !rec ||
        rec.enterprise_id !== r.enterprise_id ||
        entryOfRecord !== r.id ||
        (ON_LIST.includes(r.state) && wasReversed) ||
        (TAKEN_OFF.includes(r.state) && !wasReversed) ||
        !(ON_LIST.includes(r.state) || TAKEN_OFF.includes(r.state));
      if (bad)
        return fail(
          r.id,
          r.enterprise_id,
          'listingRecord',
          `名单记录 ${r.id} (状态 ${r.state}) 与其列入信用记录 ${r.listed_record_id} 不符`,
          `Blacklist entry ${r.id} (state ${r.state}) disagrees with its listing record ${r.listed_record_id}`,
        );
    }
  }
  const claimed = new Set(rows.map((r) => r.listed_record_id).filter(Boolean));
  for (const l of listings) {
    const entryId = (json.read(l.details, {}) as { entryId?: string }).entryId;
    if (entryId && !claimed.has(l.id))
      return fail(
        entryId,
        l.enterprise_id,
        byId.has(entryId) ? 'listingRecord' : 'rowMissing',
        `列入严重违法失信名单的信用记录 ${l.id} 没有对应的名单记录 ${entryId}`,
        `Listing record ${l.id} has no blacklist entry ${entryId} pointing to it`,
      );
  }
  for (const [entryId, a] of lastAudit)
    if (!byId.has(entryId))
      return fail(
        entryId,
        a.enterprise_id ?? '',
        'rowMissing',
        `审计日志记载的名单记录 ${entryId} 已被删除`,
        `Blacklist entry ${entryId}, which the audit log records, was deleted`,
      );
  return { checked: rows.length, first: null };
}

export type RuleSetReport = {
  checked: number;
  first: { ruleSet: string; message: Message } | null;
};

/** Every rule set the latest checkpoint names is still published with the same body. */
export async function verifyRuleSets(ctx: Ctx, latest: Checkpoint | null): Promise<RuleSetReport> {
  const pinned = latest?.ruleSets ?? {};
  const now = await publishedRuleSetDigests(ctx);
  for (const [name, digest] of Object.entries(pinned))
    if (now[name] !== digest)
      return {
        checked: Object.keys(pinned).length,
        first: {
          ruleSet: name,
          message: {
            zh: `检查点 #${latest!.no} 记载的已发布规则集 ${name} ${now[name] ? '内容被改动' : '已不存在'}`,
            en: `Published rule set ${name}, recorded by checkpoint #${latest!.no}, ${now[name] ? 'was altered' : 'is gone'}`,
          },
        },
      };
  return { checked: Object.keys(pinned).length, first: null };
}

export type IntegrityReport = VerifyReport & {
  ok: boolean;
  checkpoints: Pick<CheckpointState, 'count' | 'problem'> & {
    latest: { no: number; at: string; root: string } | null;
  };
  ruleSets: RuleSetReport;
  grades: GradeReport;
  blacklist: BlacklistReport;
  auditLog: AuditLogReport;
};

/** All of it; `ok` only when every part holds. */
export async function verifyIntegrity(
  ctx: Ctx,
  opts: { onProgress?: (done: number, total: number) => void } = {},
): Promise<IntegrityReport> {
  const cps = readCheckpoints(ctx);
  const chains = await verifyChains(ctx, { onProgress: opts.onProgress, pins: cps.pins });
  const [ruleSets, grades, blacklist, auditLog] = [
    await verifyRuleSets(ctx, cps.problem ? null : cps.latest),
    await verifyGrades(ctx),
    await verifyBlacklist(ctx),
    await verifyAuditLog(ctx, { expect: cps.latest?.audit ?? null }),
  ];
  return {
    ...chains,
    ok:
      chains.firstBroken === null &&
      cps.problem === null &&
      ruleSets.first === null &&
      grades.first === null &&
      blacklist.first === null &&
      auditLog.problem === null,
    checkpoints: {
      count: cps.count,
      problem: cps.problem,
      latest: cps.latest ? { no: cps.latest.no, at: cps.latest.at, root: cps.latest.root } : null,
    },
    ruleSets,
    grades,
    blacklist,
    auditLog,
  };
}
