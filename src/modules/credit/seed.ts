// Generated credit archives for the demo and city data: a deterministic mix of the supervisory facts
// the rule set scores, spread from the rule set's first day to the seed day and weighted by each
// enterprise's (hidden) quality, so that all four grades occur in believable proportions. Sampling
// facts (failed and refused samples) are not invented here: the sampling module's seed, which runs
// after this one, produces them through its own services, and credit scores them as they come. Bulk
// records are chained and inserted directly; the blacklist, objections, replies and the
// abnormal-operations list are then played through the real services on their own dates, with the
// monthly regrades between them (demo scale), so that histories and deadlines are what they would be.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { fixedClock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import { addCalendarDays, todayInShanghai } from '../../core/workdays.js';
import { json } from '../../db/codecs.js';
import { refreshStatistics } from '../../db/maintenance.js';
import type { Database } from '../../db/schema.js';
import { type Actor, type AppContext, systemActor } from '../../platform/context.js';
import { keyring } from '../../platform/integrity-keys.js';
import {
  createRng,
  demoSampleUscc,
  idFactory,
  type Rng,
  seedInstant,
  updateEnterprise,
} from '../registry/index.js';
import type { SeedOptions } from '../types.js';
import { GENESIS_HASH, recordHash } from './archive.js';
import { actOnEntry, expireDueEntries, proposeCandidate } from './blacklist-store.js';
import { scoreRecord } from './grade.js';
import { regradeAll } from './grading.js';
import { actOnObjection, putReply, submitObjection } from './objection-store.js';
import { summarize } from './record-types.js';
import { addManualRecord } from './records.js';
import { ruleSetOn } from './rule-store.js';

type Fact = { type: string; details: Record<string, string | number>; negative: boolean; weight: number };

// Weights per 100 facts; the grade mix they give is checked in seed.test.ts. The sampling rows are
// still drawn, and then dropped (SAMPLING_FACTS), so that every other fact keeps its enterprise, date
// and details for a given seed.
const FACTS: Fact[] = [
  { type: 'metrology.verification.overdue', details: {}, negative: true, weight: 12 },
  { type: 'metrology.verification.failed', details: {}, negative: true, weight: 7 },
  { type: 'equipment.inspection.overdue', details: {}, negative: true, weight: 3 },
  { type: 'equipment.inspection.failed', details: {}, negative: true, weight: 6 },
  { type: 'sampling.sample.failed', details: { severity: 'general' }, negative: true, weight: 8 },
  { type: 'sampling.sample.failed', details: { severity: 'serious' }, negative: true, weight: 2.5 },
  { type: 'sampling.sample.failed', details: { severity: 'critical' }, negative: true, weight: 0.6 },
  { type: 'sampling.sample.refused', details: {}, negative: true, weight: 0.3 },
  { type: 'credit.penalty.recorded', details: { penaltyType: 'warning' }, negative: true, weight: 6 },
  { type: 'credit.penalty.recorded', details: { penaltyType: 'fine' }, negative: true, weight: 4 },
  { type: 'credit.penalty.recorded', details: { penaltyType: 'confiscation' }, negative: true, weight: 1 },
  { type: 'credit.penalty.recorded', details: { penaltyType: 'suspension' }, negative: true, weight: 0.3 },
  { type: 'credit.judgement.recorded', details: {}, negative: true, weight: 0.4 },
  { type: 'credit.complaint.verified', details: {}, negative: true, weight: 9 },
  { type: 'recognition.standard.led', details: { level: 'group' }, negative: false, weight: 6 },
  { type: 'recognition.standard.led', details: { level: 'local' }, negative: false, weight: 2 },
  { type: 'recognition.standard.led', details: { level: 'industry' }, negative: false, weight: 1.5 },
  { type: 'recognition.standard.led', details: { level: 'national' }, negative: false, weight: 0.8 },
  { type: 'recognition.standard.led', details: { level: 'international' }, negative: false, weight: 0.1 },
  {
    type: 'recognition.brand.awarded',
    details: { kind: 'provincialFamousBrand' },
    negative: false,
    weight: 2,
  },
  { type: 'recognition.award.granted', details: { level: 'municipal' }, negative: false, weight: 0.3 },
  { type: 'credit.cleanRecord.reached', details: { years: 3 }, negative: false, weight: 9 },
  { type: 'credit.cleanRecord.reached', details: { years: 5 }, negative: false, weight: 5 },
  { type: 'credit.cleanRecord.reached', details: { years: 10 }, negative: false, weight: 1.5 },
  { type: 'recognition.excellence.practised', details: {}, negative: false, weight: 3 },
];

/** Facts the sampling module's seed produces (through its services), not this one. */
const SAMPLING_FACTS = new Set(['sampling.sample.failed', 'sampling.sample.refused']);

// Facts drawn per enterprise (before the quality tilt) and how often a drawn violation is kept: the
// city scale carries the benchmark's volume (≥ 10 records per enterprise) with a grade mix like the demo's.
const MEAN_FACTS: Record<SeedOptions['scale'], number> = { demo: 3, city: 34 };
const NEGATIVE_KEEP: Record<SeedOptions['scale'], number> = { demo: 1, city: 0.5 };
const COURTS = ['东莞市第一人民法院', '东莞市第二人民法院', '东莞市第三人民法院', '东莞市中级人民法院'];
const PRODUCTS = ['电线电缆', '儿童玩具', '家用电器', '鞋类', '服装', '家具', '灯具', '电动自行车'];

const dayNumber = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
const fromDayNumber = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);

/** The form fields of a generated fact, shaped like a regulator's entry. */
function detailsFor(f: Fact, occurredOn: string, r: Rng, serial: number): Record<string, string | number> {
  const year = occurredOn.slice(0, 4);
  const n = String(100 + r.int(9900));
  switch (f.type) {
    case 'credit.penalty.recorded':
      return { ...f.details, decisionNo: `东市监罚〔${year}〕${n}号` };
    case 'sampling.sample.failed':
      return {
        ...f.details,
        sampleNo: `DG${year}-CC-${String(serial).padStart(6, '0')}`,
        productCategory: r.pick(PRODUCTS),
      };
    case 'sampling.sample.refused':
      return { taskNo: `DG${year}-RW-${n}` };
    case 'credit.judgement.recorded':
      return {
        caseNo: `(${year})粤19${String(r.int(3) + 71).padStart(2, '0')}民初${n}号`,
        court: r.pick(COURTS),
      };
    case 'credit.complaint.verified':
      return { complaintNo: `TS${year}${String(serial).padStart(8, '0')}` };
    case 'equipment.inspection.overdue':
    case 'equipment.inspection.failed':
      return { equipmentId: `3110441900${year}${n}` };
    case 'metrology.verification.overdue':
    case 'metrology.verification.failed':
      return { instrumentId: `JL${year}${n}` };
    case 'recognition.standard.led':
      return {
        ...f.details,
        standardCode:
          f.details.level === 'group'
            ? `T/DGS ${n}-${year}`
            : f.details.level === 'local'
              ? `DB4419/T ${r.int(90) + 10}-${year}`
              : `GB/T ${n}-${year}`,
      };
    case 'recognition.brand.awarded':
      return { ...f.details, product: r.pick(PRODUCTS) };
    case 'recognition.award.granted':
      return { ...f.details, year: Number(year) };
    case 'recognition.excellence.practised':
      return { selfAssessmentScore: 400 + r.int(350) };
    default:
      return { ...f.details };
  }
}

export type CreditSeedResult = { records: number; skipped: boolean };

export async function seedCredit(
  ctx: AppContext,
  opts: SeedOptions & { asOf?: string },
): Promise<CreditSeedResult> {
  // Credit facts run up to today, so that the demo's deadlines and queues are live whenever it starts.
  const asOf = opts.asOf ?? todayInShanghai(ctx.clock.now());
  const present = await ctx.db.selectFrom('credit_records').select('id').limit(1).executeTakeFirst();
  if (present) {
    ctx.log.warn('信用档案已有记录, 跳过生成 / The credit archive is not empty; credit seed skipped.');
    return { records: 0, skipped: true };
  }
  const ruleSet = await ruleSetOn(ctx.db, asOf);
  const first = dayNumber(ruleSet.effectiveFrom);
  const last = dayNumber(asOf);
  if (last < first) return { records: 0, skipped: true };
  const enterprises = await ctx.db
    .selectFrom('enterprises')
    .select(['id', 'uscc', 'scale'])
    .orderBy('id')
    .execute();
  const r = createRng(opts.seed, 11);
  const newId = idFactory(seedInstant(asOf).getTime(), createRng(opts.seed, 12));
  const recordedAt = seedInstant(asOf).toISOString();
  const { signer } = keyring(ctx.config);
  const mean = MEAN_FACTS[opts.scale];
  const negativeKeep = NEGATIVE_KEEP[opts.scale];
  const total = FACTS.reduce((a, f) => a + f.weight, 0);
  let serial = 0;
  let written = 0;

  const rows: Database['credit_records'][] = [];
  const heads: Database['credit_chain_heads'][] = [];
  const flush = async (trx: Kysely<Database>) => {
    for (let i = 0; i < rows.length; i += 400)
      await trx
        .insertInto('credit_records')
        .values(rows.slice(i, i + 400))
        .execute();
    for (let i = 0; i < heads.length; i += 2000)
      await trx
        .insertInto('credit_chain_heads')
        .values(heads.slice(i, i + 2000))
        .execute();
    written += rows.length;
    rows.length = 0;
    heads.length = 0;
  };

  await ctx.db.transaction().execute(async (trx) => {
    let done = 0;
    for (const e of enterprises) {
      const quality = r.next();
      const size = e.scale === 'large' ? 2 : e.scale === 'medium' ? 1.5 : e.scale === 'small' ? 1 : 0.7;
      const n = Math.floor(-mean * size * Math.log(1 - r.next() * 0.999));
      const clean = quality > 0.6;
      const facts: { fact: Fact; on: string }[] = [];
      for (let k = 0; k < n; k++) {
        // Draw a fact, tilted by quality: good enterprises gather honours, poor ones violations.
        let pick = r.next() * total;
        let fact = FACTS[0]!;
        for (const f of FACTS) {
          pick -= f.weight;
          if (pick <= 0) {
            fact = f;
            break;
          }
        }
        const keep = fact.negative
          ? r.chance((1.5 - quality * 1.3) * negativeKeep)
          : r.chance(0.15 + quality * 0.85);
        if (!keep) continue;
        if (clean && fact.type === 'sampling.sample.failed') continue;
        if (!clean && fact.type === 'credit.cleanRecord.reached') continue;
        facts.push({ fact, on: fromDayNumber(first + r.int(last - first + 1)) });
      }
      facts.sort((a, b) => a.on.localeCompare(b.on));
      let prev = GENESIS_HASH;
      let seq = 0;
      for (const { fact, on } of facts) {
        serial += 1;
        const details = detailsFor(fact, on, r, serial);
        if (SAMPLING_FACTS.has(fact.type)) continue;
        const scored = scoreRecord({
          ruleSet,
          event: { id: `seed-${serial}`, type: fact.type, payload: details, occurredOn: on },
        });
        if (!scored) continue;
        seq += 1;
        const unhashed = {
          id: newId(),
          enterprise_id: e.id,
          seq,
          kind: 'manual',
          event_type: fact.type,
          source_event_id: null,
          rule_id: scored.ruleId,
          rule_set_id: scored.ruleSetId,
          rule_set_version: scored.ruleSetVersion,
          points: scored.points,
          occurred_on: on,
          effective_on: on,
          expires_on: scored.expiresOn,
          severity: scored.severity,
          publishable: scored.publishable ? 1 : 0,
          reverses_id: null,
          summary: summarize(fact.type, details),
          details: json.write(details),
          evidence: '[]',
          recorded_at: recordedAt,
          recorded_by: 'seed',
          prev_hash: prev,
          kid: signer.kid,
        };
        const hash = recordHash(unhashed, signer.key);
        rows.push({ ...unhashed, hash });
        prev = hash;
      }
      if (seq > 0) heads.push({ enterprise_id: e.id, seq, hash: prev });
      done += 1;
      if (rows.length >= 20_000) {
        await flush(trx);
        opts.onProgress?.(done, enterprises.length);
      }
    }
    await flush(trx);
    opts.onProgress?.(done, enterprises.length);
  });

  await playScenarios(ctx, opts, asOf, enterprises);
  await refreshStatistics(ctx.db, ctx.dialect);
  return { records: written, skipped: false };
}

// ---- scenarios played through the services on their own dates ------------------------------------

type Step = { on: string; run: (at: AppContext) => Promise<unknown> };

const OFFICIAL: Actor = systemActor('seed');
const official = { id: 'seed', kind: 'official' as const };
const enterpriseActor = { id: 'seed-enterprise', kind: 'enterprise' as const };

async function playScenarios(
  ctx: AppContext,
  opts: SeedOptions,
  asOf: string,
  enterprises: { id: string; uscc: string }[],
) {
  const r = createRng(opts.seed, 13);
  const times = opts.scale === 'city' ? 10 : 1;
  const demoUscc = demoSampleUscc(opts.seed).enterprise;
  const demo = enterprises.find((e) => e.uscc === demoUscc);
  const pool = enterprises.filter((e) => e.uscc !== demoUscc);
  const ruleSetStart = (await ruleSetOn(ctx.db, asOf)).effectiveFrom;
  const take = () => pool.splice(r.int(pool.length), 1)[0]!;
  const steps: Step[] = [];
  const d = (offset: number) => addCalendarDays(asOf, offset);
  const add = (on: string, run: Step['run']) => steps.push({ on, run });

  for (let k = 0; k < times && pool.length > 40; k++) {
    // The blacklist at every stage; each begins with the penalty that qualifies it.
    const plans: { penaltyOn: string; actions: [number, string][] }[] = [
      { penaltyOn: d(-20), actions: [[2, 'propose']] },
      {
        penaltyOn: d(-30),
        actions: [
          [2, 'propose'],
          [4, 'notify'],
        ],
      },
      {
        penaltyOn: d(-60),
        actions: [
          [1, 'propose'],
          [2, 'notify'],
          [14, 'list'],
        ],
      },
      {
        penaltyOn: d(-640),
        actions: [
          [2, 'propose'],
          [3, 'notify'],
          [15, 'list'],
          [20, 'publish'],
        ],
      },
      {
        penaltyOn: d(-420),
        actions: [
          [2, 'propose'],
          [3, 'notify'],
          [15, 'list'],
          [25, 'publish'],
        ],
      },
      {
        penaltyOn: d(-200),
        actions: [
          [2, 'propose'],
          [3, 'notify'],
          [15, 'list'],
          [22, 'publish'],
        ],
      },
      {
        penaltyOn: d(-500),
        actions: [
          [2, 'propose'],
          [3, 'notify'],
          [15, 'list'],
          [20, 'publish'],
          [400, 'apply'],
          [412, 'approve'],
        ],
      },
      {
        penaltyOn: d(-520),
        actions: [
          [2, 'propose'],
          [3, 'notify'],
          [15, 'list'],
          [20, 'publish'],
          [505, 'apply'],
        ],
      },
      {
        penaltyOn: d(-1125),
        actions: [
          [2, 'propose'],
          [3, 'notify'],
          [15, 'list'],
          [20, 'publish'],
          [1112, 'expire'],
        ],
      },
      {
        penaltyOn: d(-240),
        actions: [
          [2, 'propose'],
          [3, 'notify'],
          [15, 'list'],
          [20, 'publish'],
          [90, 'withdraw'],
        ],
      },
    ];
    for (const plan of plans) {
      const e = take();
      const decisionNo = `东市监罚〔${plan.penaltyOn.slice(0, 4)}〕${1000 + r.int(8999)}号`;
      let entryId = '';
      // Before the first rule set there is nothing to score: the listing alone is kept.
      if (plan.penaltyOn >= ruleSetStart)
        add(plan.penaltyOn, (at) =>
          addManualRecord(at, OFFICIAL, e, {
            type: 'credit.penalty.recorded',
            occurredOn: plan.penaltyOn,
            details: { penaltyType: r.chance(0.5) ? 'suspension' : 'licenceRevocation', decisionNo },
          }),
        );
      for (const [offset, what] of plan.actions) {
        const on = addCalendarDays(plan.penaltyOn, offset);
        if (on > asOf) continue;
        add(on, async (at) => {
          if (what === 'expire') return expireDueEntries(at);
          if (what === 'propose') {
            entryId = (await proposeCandidate(at, OFFICIAL, e.id, { decisionNo, decidedOn: plan.penaltyOn }))
              .id;
            return;
          }
          const action =
            what === 'notify'
              ? { type: 'notify' as const }
              : what === 'list'
                ? { type: 'list' as const, statementHeard: true }
                : what === 'publish'
                  ? { type: 'publish' as const }
                  : what === 'apply'
                    ? {
                        type: 'applyRemoval' as const,
                        conditions: {
                          obligationsFulfilled: true,
                          harmRemoved: true,
                          noNewHeavierPenalty: true,
                          pledgeSigned: true,
                          evidenceSubmitted: true,
                        },
                        evidenceIds: [await seedEvidence(at, e.id, '信用修复承诺书.pdf')],
                      }
                    : what === 'approve'
                      ? {
                          type: 'decideRemoval' as const,
                          approved: true,
                          reasons: '已履行处罚决定, 危害已消除, 已签署信用承诺',
                        }
                      : { type: 'withdraw' as const, penaltyRevokedBy: '东莞市人民政府行政复议决定书' };
          await actOnEntry(at, OFFICIAL, what === 'apply' ? enterpriseActor : official, entryId, action);
        });
      }
    }

    // Objections at every stage, on a negative record of the enterprise (a fine: the same −10 for two
    // years as a serious failed sample, which only the sampling seed may produce), and replies.
    const objectionPlans: [number, string[]][] = [
      [-6, []],
      [-3, []],
      [-40, ['startReview']],
      [-25, ['startReview']],
      [-90, ['startReview', 'uphold']],
      [-150, ['startReview', 'uphold']],
      [-70, ['startReview', 'reject']],
      [-120, ['startReview', 'reject']],
      [-30, ['withdraw']],
    ];
    for (const [offset, actions] of objectionPlans) {
      const e = take();
      const on = d(offset);
      let recordId = '';
      let objectionId = '';
      add(on, async (at) => {
        const decisionNo = `东市监罚〔${on.slice(0, 4)}〕9${r.int(99999)}号`;
        const product = r.pick(PRODUCTS);
        recordId = (
          await addManualRecord(at, OFFICIAL, e, {
            type: 'credit.penalty.recorded',
            occurredOn: addCalendarDays(on, -10),
            details: { penaltyType: 'fine', decisionNo },
          })
        ).record.id;
        objectionId = (
          await submitObjection(at, OFFICIAL, recordId, {
            grounds: `处罚决定所涉${product}并非本企业生产, 当事人认定有误, 申请复核`,
          })
        ).id;
      });
      for (const [i, a] of actions.entries()) {
        add(addCalendarDays(on, 3 + i * 12), (at) =>
          actOnObjection(
            at,
            OFFICIAL,
            a === 'withdraw' ? enterpriseActor : official,
            objectionId,
            a === 'startReview'
              ? { type: 'startReview' }
              : a === 'uphold'
                ? { type: 'uphold', reasons: '经复核, 处罚决定书所列当事人并非本企业, 记录予以更正' }
                : a === 'reject'
                  ? { type: 'reject', reasons: '经复核, 处罚决定书当事人为本企业, 记录准确' }
                  : { type: 'withdraw' },
          ),
        );
      }
      if (actions.length === 0 || actions.includes('reject'))
        add(addCalendarDays(on, 1), (at) =>
          putReply(at, OFFICIAL, recordId, e.id, '我司已对该批次产品全部召回并完成整改, 欢迎社会监督。'),
        );
    }

    // The abnormal-operations list: at best grade C while listed.
    for (let i = 0; i < 3; i++) {
      const e = take();
      add(d(-50 - i * 30), (at) => updateEnterprise(at, OFFICIAL, e.uscc, { tags: ['abnormalOperations'] }));
    }
  }

  // The demo account's own enterprise: a record it disputes, a reply, an honour.
  if (demo) {
    let recordId = '';
    add(d(-200), (at) =>
      addManualRecord(at, OFFICIAL, demo, {
        type: 'recognition.standard.led',
        occurredOn: d(-205),
        details: { level: 'group', standardCode: 'T/DGS 021-2025' },
      }),
    );
    add(d(-12), async (at) => {
      recordId = (
        await addManualRecord(at, OFFICIAL, demo, {
          type: 'metrology.verification.overdue',
          occurredOn: d(-14),
          details: { instrumentId: 'JL2026-0815' },
        })
      ).record.id;
    });
    add(d(-8), (at) =>
      submitObjection(at, OFFICIAL, recordId, { grounds: '该器具已于到期前送检, 附检定证书' }),
    );
    add(d(-7), (at) =>
      putReply(at, OFFICIAL, recordId, demo.id, '该器具已按期送检, 检定证书编号 JD2026-3310, 已提出异议。'),
    );
  }

  // Month-end regrades (the history) between the steps, in date order; the last at the seed day.
  if (opts.scale === 'demo') {
    for (let day = dayNumber('2024-01-31'); day < dayNumber(asOf); day += 1) {
      const iso = fromDayNumber(day);
      if (fromDayNumber(day + 1).endsWith('-01')) add(iso, (at) => regradeAll(at, iso));
    }
  }
  add(asOf, (at) => regradeAll(at, asOf));
  steps.sort((a, b) => a.on.localeCompare(b.on));
  for (const s of steps) {
    const at = { ...ctx, clock: fixedClock(`${s.on}T02:00:00Z`) };
    await s.run(at);
  }
}

/** A small real PDF as evidence (the seed's stand-in for a scanned pledge or certificate). */
async function seedEvidence(ctx: AppContext, enterpriseId: string, filename: string) {
  const content = Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  );
  const id = newId();
  await ctx.db
    .insertInto('credit_evidence')
    .values({
      id,
      enterprise_id: enterpriseId,
      filename,
      mime: 'application/pdf',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      content,
      uploaded_by: 'seed',
      uploaded_by_enterprise: enterpriseId,
      uploaded_at: ctx.clock.now().toISOString(),
    })
    .execute();
  return id;
}
