// What the public may see of the credit archive, and nothing else: published records in force
// (never reversed ones), the enterprise's replies beside them, whether an objection is pending,
// good-credit tags, the published blacklist, and grades only if the rule set publishes them.
// Every shape here is a whitelist; the routes' response schemas repeat it.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { containsText } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import type { AppContext } from '../../platform/context.js';
import { isPortalVisible } from './blacklist.js';
import { entryOf } from './blacklist-store.js';
import { own } from './own.js';
import { recordSource, summaryText } from './record-types.js';
import { ruleSetOn } from './rule-store.js';
import { eventLabel, ruleLabels } from './views.js';

const parseDetails = (text: string) => JSON.parse(text) as Record<string, unknown>;

const GOOD_CREDIT_LABELS: Record<number, { zh: string; en: string }> = {
  3: { zh: '连续3年监督抽查无不合格', en: '3 years without a failed sample' },
  5: { zh: '连续5年监督抽查无不合格', en: '5 years without a failed sample' },
  10: { zh: '连续10年监督抽查无不合格', en: '10 years without a failed sample' },
};

/** The record a blacklist listing writes: shown only while its entry is (see isPortalVisible). */
export const LISTING_EVENT = 'credit.blacklist.listed';

/**
 * Published records in force on `today`, not reversed: the only records the public ever sees. A
 * listing's record follows its entry's publication: hidden while the entry is listed but not yet
 * published, and once it is removed, withdrawn or expired (the entry's term and the record's
 * validity end on the same day; the record's expires_on bounds it).
 */
function publishedRecords(db: Kysely<Database>, today: string) {
  return db
    .selectFrom('credit_records as r')
    .where('r.publishable', '=', 1)
    .where('r.kind', '<>', 'reversal')
    .where('r.effective_on', '<=', today)
    .where('r.expires_on', '>', today)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('credit_records as x').select('x.id').whereRef('x.reverses_id', '=', 'r.id'))),
    )
    .where(({ or, eb, exists, selectFrom }) =>
      or([
        eb('r.event_type', '<>', LISTING_EVENT),
        exists(
          selectFrom('credit_blacklist as b')
            .select('b.id')
            .whereRef('b.listed_record_id', '=', 'r.id')
            .where('b.state', '=', 'published')
            .where('b.portal_visible', '=', 1),
        ),
      ]),
    );
}

export async function publicCredit(
  ctx: AppContext,
  enterprise: { id: string; uscc: string; name: string },
  today: string,
) {
  const db = ctx.db;
  const rows = await publishedRecords(db, today)
    .select([
      'r.id',
      'r.event_type',
      'r.rule_id',
      'r.rule_set_id',
      'r.rule_set_version',
      'r.occurred_on',
      'r.expires_on',
      'r.severity',
      'r.summary',
      'r.recorded_at',
      'r.details',
      'r.kind',
    ])
    .where('r.enterprise_id', '=', enterprise.id)
    .orderBy('r.occurred_on', 'desc')
    .execute();
  const ids = rows.map((r) => r.id);
  const [pending, replies, entries, ruleSet, label] = await Promise.all([
    ids.length
      ? db
          .selectFrom('credit_objections')
          .select('record_id')
          .where('record_id', 'in', ids)
          .where('state', 'in', ['submitted', 'underReview'])
          .execute()
      : [],
    ids.length
      ? db
          .selectFrom('credit_replies')
          .select(['record_id', 'text', 'posted_on'])
          .where('record_id', 'in', ids)
          .where('replaced_on', 'is', null)
          .execute()
      : [],
    db
      .selectFrom('credit_blacklist')
      .selectAll()
      .where('enterprise_id', '=', enterprise.id)
      .where('portal_visible', '=', 1)
      .execute(),
    ruleSetOn(db, today),
    ruleLabels(db),
  ]);
  const pendingSet = new Set(pending.map((p) => p.record_id));
  const replyOf = new Map(replies.map((r) => [r.record_id, { text: r.text, postedOn: r.posted_on }]));
  const clean = rows
    .filter((r) => r.event_type === 'credit.cleanRecord.reached')
    .map((r) => Number((JSON.parse(r.details) as { years?: number }).years ?? 0))
    .filter((y) => own(GOOD_CREDIT_LABELS, String(y)));
  const best = clean.length ? Math.max(...clean) : null;
  const entry = entries.map(entryOf).find((e) => isPortalVisible(e, today)) ?? null;
  let grade: { grade: string; gradeLabel: { zh: string; en: string } } | undefined;
  if (ruleSet.disclosure?.publishGrades) {
    const g = await db
      .selectFrom('credit_grades')
      .select('grade')
      .where('enterprise_id', '=', enterprise.id)
      .executeTakeFirst();
    const def = ruleSet.grades.find((x) => x.grade === g?.grade);
    if (g && def) grade = { grade: g.grade, gradeLabel: def.label };
  }
  return {
    uscc: enterprise.uscc,
    name: enterprise.name,
    // Only what the public sees dates the page: its records and a published listing, never the
    // timing of unpublished records or corrections.
    lastUpdated: latest([
      ...rows.map((r) => r.recorded_at),
      ...(entry?.publishedOn ? [`${entry.publishedOn}T00:00:00+08:00`] : []),
    ]),
    goodCredit: best ? { years: best, label: GOOD_CREDIT_LABELS[best]! } : null,
    records: rows.map((r) => ({
      id: r.id,
      eventLabel: eventLabel(r.event_type),
      ruleLabel: label(r.rule_set_id, r.rule_set_version, r.rule_id),
      occurredOn: r.occurred_on,
      expiresOn: r.expires_on,
      severity: r.severity,
      summary: r.summary,
      summaryText: summaryText(r.event_type, parseDetails(r.details)),
      source: recordSource(r.event_type, parseDetails(r.details), r.kind as 'event' | 'manual'),
      pendingObjection: pendingSet.has(r.id),
      reply: replyOf.get(r.id) ?? null,
    })),
    blacklist: entry
      ? {
          listedOn: entry.listedOn,
          publishedOn: entry.publishedOn,
          expiresOn: entry.expiresOn,
          decisionNo: entry.penalty.decisionNo,
        }
      : null,
    ...(grade ? { grade } : {}),
  };
}

const latest = (instants: string[]) =>
  instants.length === 0 ? null : new Date(Math.max(...instants.map((i) => Date.parse(i)))).toISOString();

/** The published blacklist, searchable by name or USCC, paged by entry id. */
export async function publicBlacklist(
  ctx: AppContext,
  q: { q?: string; cursor?: string; limit: number },
  today: string,
) {
  let query = ctx.db
    .selectFrom('credit_blacklist as b')
    .innerJoin('enterprises as e', 'e.id', 'b.enterprise_id')
    .leftJoin('towns as t', 't.code', 'e.town_code')
    .select(['b.id', 'b.body', 'e.uscc', 'e.name', 't.name as town_name'])
    .where('b.state', '=', 'published')
    .where('b.portal_visible', '=', 1)
    .orderBy('b.id')
    .limit(q.limit + 1);
  if (q.cursor) query = query.where('b.id', '>', q.cursor);
  const text = q.q?.trim();
  if (text) {
    query = query.where((eb) =>
      eb.or([
        containsText(ctx.dialect, eb.ref('e.name'), text),
        eb('e.uscc', 'like', `${text.toUpperCase().replace(/[%_\\]/g, '')}%`),
      ]),
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  const items = page
    .map((r) => ({ r, e: entryOf({ body: r.body } as Database['credit_blacklist']) }))
    .filter(({ e }) => isPortalVisible(e, today))
    .map(({ r, e }) => ({
      id: r.id,
      uscc: r.uscc,
      name: r.name,
      townName: r.town_name ?? '',
      listedOn: e.listedOn,
      publishedOn: e.publishedOn,
      expiresOn: e.expiresOn,
      decisionNo: e.penalty.decisionNo,
    }));
  return { items, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
}

/** Words for the severity codes, beside the code in open data. */
export const SEVERITY_LABELS: Record<string, { zh: string; en: string }> = {
  info: { zh: '提示', en: 'Info' },
  minor: { zh: '一般', en: 'Minor' },
  major: { zh: '较重', en: 'Major' },
  serious: { zh: '严重', en: 'Serious' },
};

/** Open-data columns: stable codes for machines, each with a Chinese label column beside it. */
export const BULK_COLUMNS = [
  ['id', '记录编号'],
  ['uscc', '统一社会信用代码'],
  ['enterpriseName', '企业名称'],
  ['eventType', '事项类型代码'],
  ['eventLabel', '事项'],
  ['summary', '摘要'],
  ['source', '来源'],
  ['severity', '严重程度代码'],
  ['severityLabel', '严重程度'],
  ['occurredOn', '发生日期'],
  ['expiresOn', '公示截止'],
  ['pendingObjection', '异议处理中'],
  ['reply', '企业回应'],
] as const;

export type BulkRow = Record<(typeof BULK_COLUMNS)[number][0], string | boolean | null>;

/** Every published record in force, in id order, a page at a time (ids are stable download keys). */
export async function* bulkPublishedRecords(
  db: Kysely<Database>,
  today: string,
  pageSize = 5000,
): AsyncGenerator<BulkRow[]> {
  let after = '';
  for (;;) {
    const rows = await publishedRecords(db, today)
      .innerJoin('enterprises as e', 'e.id', 'r.enterprise_id')
      .select([
        'r.id',
        'r.event_type',
        'r.summary',
        'r.severity',
        'r.details',
        'r.kind',
        'r.occurred_on',
        'r.expires_on',
        'e.uscc',
        'e.name',
      ])
      .where('r.id', '>', after)
      .orderBy('r.id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    const [pending, replies] = await Promise.all([
      db
        .selectFrom('credit_objections')
        .select('record_id')
        .where('record_id', 'in', ids)
        .where('state', 'in', ['submitted', 'underReview'])
        .execute(),
      db
        .selectFrom('credit_replies')
        .select(['record_id', 'text'])
        .where('record_id', 'in', ids)
        .where('replaced_on', 'is', null)
        .execute(),
    ]);
    const pendingSet = new Set(pending.map((p) => p.record_id));
    const replyOf = new Map(replies.map((r) => [r.record_id, r.text]));
    yield rows.map((r) => ({
      id: r.id,
      uscc: r.uscc,
      enterpriseName: r.name,
      eventType: r.event_type,
      eventLabel: eventLabel(r.event_type).zh,
      summary: r.summary,
      source: recordSource(r.event_type, parseDetails(r.details), r.kind as 'event' | 'manual').zh,
      severity: r.severity,
      severityLabel: own(SEVERITY_LABELS, r.severity)?.zh ?? r.severity,
      occurredOn: r.occurred_on,
      expiresOn: r.expires_on,
      pendingObjection: pendingSet.has(r.id),
      reply: replyOf.get(r.id) ?? null,
    }));
    after = rows[rows.length - 1]!.id;
    if (rows.length < pageSize) return;
  }
}

/** A short code printed on a credit report and shown by the public check, so a reader can match them. */
export function reportCheckCode(r: {
  id: string;
  enterprise_id: string;
  grade: string;
  score: number;
  as_of: string;
}) {
  return createHash('sha256')
    .update([r.id, r.enterprise_id, r.grade, r.score, r.as_of].join('|'))
    .digest('hex')
    .slice(0, 10)
    .toUpperCase();
}

export async function verifyReport(db: Kysely<Database>, id: string) {
  const row = await db
    .selectFrom('credit_reports as r')
    .innerJoin('enterprises as e', 'e.id', 'r.enterprise_id')
    .select(['r.id', 'r.enterprise_id', 'r.grade', 'r.score', 'r.as_of', 'r.issued_at', 'e.uscc', 'e.name'])
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  return {
    valid: true,
    uscc: row.uscc,
    name: row.name,
    issuedAt: row.issued_at,
    asOf: row.as_of,
    checkCode: reportCheckCode(row),
  };
}
