// The double-random draw as a pure function (computeDraw): a property test over random pools —
// grades, towns, operating flags, categories, recent samples, higher-level tasks, referrals,
// inspectors with conflicts and last pairs, quotas — checks what the draw screen shows a user:
// each grade's stratum drawn at its ratio, no excluded enterprise drawn and every exclusion with
// its reason, two conflict-free inspectors never the previous pair, referrals drawn with their
// reason, quotas respected, the same input giving the same draw. Example tests name the edges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  beginDraw,
  computeDraw,
  type DrawInput,
  type DrawOutput,
  GRADES,
  type Grade,
  type PoolRow,
} from './draw.js';
import { PLAN_KINDS, type PlanBody, type PlanKind, SIX_MONTH_EXEMPT } from './model.js';

const TOWNS = ['T1', 'T2', 'T3'];
const CATS = ['C1', 'C2', 'C3'];

function category(code: string, quota = 0): PlanBody['categories'][number] {
  return { code, checkItems: [], testUnits: 2, backupUnits: 2, labEnterpriseId: 'lab', quota };
}

/** A draw input with sensible defaults: the rule set's ratios, no quotas, three inspectors. */
function input(over: Partial<DrawInput> & { body?: Partial<PlanBody>; kind?: PlanKind } = {}): DrawInput {
  const { body, kind, ...rest } = over;
  return {
    plan: {
      id: 'plan',
      code: 'DG-TEST',
      version: 1,
      year: 2026,
      kind: kind ?? 'routine',
      level: 'city',
      body: {
        legalBasis: 'x',
        towns: [],
        townQuotas: {},
        budgetYuan: 0,
        categories: [category('C1')],
        ...body,
      },
    },
    seed: 42,
    asOf: '2026-03-02',
    ruleSet: { id: 'dg-2024', version: 1 },
    ratios: { A: 0.02, B: 0.05, C: 0.3, D: 1 },
    pool: [],
    recent: [],
    higherLevel: [],
    referrals: [],
    inspectors: [
      { userId: 'i1', townCode: null, conflicts: [] },
      { userId: 'i2', townCode: null, conflicts: [] },
      { userId: 'i3', townCode: null, conflicts: [] },
    ],
    lastPairs: {},
    ...rest,
  };
}

/** `n` operating makers of `cat` of `grade` in `town`, ids prefixed so groups stay apart. */
function makers(prefix: string, n: number, grade: Grade, cat = 'C1', town = 'T1'): PoolRow[] {
  return Array.from({ length: n }, (_, i) => [`${prefix}${String(i).padStart(4, '0')}`, grade, town, cat, 1]);
}

const stratum = (out: DrawOutput, grade: Grade, cat?: string) =>
  (cat ? out.byCategory.find((c) => c.categoryCode === cat)!.strata : out.strata).find(
    (s) => s.grade === grade,
  )!;
const pairKey = (p: readonly string[]) => [...p].sort().join('|');

// ---- the property ------------------------------------------------------------------------------

const enterpriseArb = fc.record({
  grade: fc.constantFrom<Grade>(...GRADES),
  town: fc.constantFrom(...TOWNS),
  operating: fc.oneof(
    { weight: 9, arbitrary: fc.constant(1 as const) },
    { weight: 1, arbitrary: fc.constant(0 as const) },
  ),
  categories: fc.subarray(CATS, { minLength: 1 }),
});
/** Ratios in hundredths, so the expected counts are computed in integers (no floating point). */
const percentArb = fc.oneof(fc.constantFrom(2, 5, 30, 100, 0), fc.integer({ min: 0, max: 100 }));
const quotaArb = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(12) });

const scenarioArb = fc.record({
  enterprises: fc.array(enterpriseArb, { maxLength: 70 }),
  kind: fc.constantFrom<PlanKind>(...PLAN_KINDS),
  towns: fc.oneof(fc.constant([] as string[]), fc.subarray(TOWNS, { minLength: 1 })),
  townQuotas: fc.array(fc.tuple(fc.constantFrom(...TOWNS), fc.nat(8)), { maxLength: 2 }),
  categories: fc.shuffledSubarray(CATS, { minLength: 1 }),
  quotas: fc.tuple(quotaArb, quotaArb, quotaArb),
  percents: fc.tuple(percentArb, percentArb, percentArb, percentArb),
  // indices into the enterprises (and their categories), mapped in build()
  recent: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 15 }),
  higher: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 8 }),
  referrals: fc.array(
    fc.record({
      ent: fc.nat(),
      cat: fc.option(fc.constantFrom(...CATS), { nil: null }),
      reason: fc.constantFrom<'complaint' | 'referral'>('complaint', 'referral'),
    }),
    { maxLength: 6 },
  ),
  inspectors: fc.array(
    fc.record({
      town: fc.option(fc.constantFrom(...TOWNS), { nil: null }),
      conflicts: fc.array(fc.nat(), { maxLength: 4 }),
    }),
    { maxLength: 6 },
  ),
  lastPairs: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 12 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario) {
  // ids not in enterprise order, so the draw's own ordering is exercised
  const ids = s.enterprises.map((_, i) => `e${String((i * 37) % 101).padStart(3, '0')}-${i}`);
  const pool: PoolRow[] = s.enterprises.flatMap((e, i) =>
    e.categories.map((c): PoolRow => [ids[i]!, e.grade, e.town, c, e.operating]),
  );
  const pick = ([e, c]: [number, number]) => {
    const i = e % s.enterprises.length;
    const cats = s.enterprises[i]!.categories;
    return [ids[i]!, cats[c % cats.length]!] as const;
  };
  const none = s.enterprises.length === 0;
  const quotaTowns = s.towns.length ? s.towns : TOWNS;
  const inspectors = s.inspectors.map((x, i) => ({
    userId: `u${i}`,
    townCode: x.town,
    conflicts: none ? [] : [...new Set(x.conflicts.map((c) => ids[c % ids.length]!))],
  }));
  const lastPairs: Record<string, string[]> = {};
  if (!none && inspectors.length >= 2)
    for (const [e, a, b] of s.lastPairs) {
      const x = a % inspectors.length;
      const y = (x + 1 + (b % (inspectors.length - 1))) % inspectors.length;
      lastPairs[ids[e % ids.length]!] = [`u${x}`, `u${y}`];
    }
  const draw = input({
    kind: s.kind,
    seed: s.seed,
    body: {
      towns: s.towns,
      townQuotas: Object.fromEntries(s.townQuotas.filter(([t]) => quotaTowns.includes(t))),
      categories: s.categories.map((c) => category(c, s.quotas[CATS.indexOf(c)]!)),
    },
    ratios: {
      A: s.percents[0] / 100,
      B: s.percents[1] / 100,
      C: s.percents[2] / 100,
      D: s.percents[3] / 100,
    },
    pool,
    recent: none ? [] : s.recent.map((r, i) => [...pick(r), `DG2025-CC-${i}`, '2025-12-01']),
    higherLevel: none ? [] : s.higher.map((r) => [...pick(r), 'SJ-2026-01']),
    referrals: none
      ? []
      : s.referrals.map((r, i) => ({
          id: `ref${String(i).padStart(2, '0')}`,
          enterpriseId: ids[r.ent % ids.length]!,
          categoryCode: r.cat,
          reason: r.reason,
          reference: `TS-${i}`,
        })),
    inspectors,
    lastPairs,
  });
  return { draw, percents: s.percents };
}

/** What a reader of the rules expects, computed independently of draw.ts. */
function expectations(draw: DrawInput) {
  const { body } = draw.plan;
  const inTowns = (t: string) => body.towns.length === 0 || body.towns.includes(t);
  const planCats = new Set(body.categories.map((c) => c.code));
  const k = (e: string, c: string) => `${c}/${e}`;
  const higher = new Set(draw.higherLevel.map(([e, c]) => k(e, c)));
  const recent = new Set(draw.recent.map(([e, c]) => k(e, c)));
  const exempt = SIX_MONTH_EXEMPT.includes(draw.plan.kind);
  const excluded = new Map<string, string>();
  const eligible = new Map<string, PoolRow>();
  const counted: PoolRow[] = [];
  for (const row of draw.pool) {
    const [e, , town, c, operating] = row;
    if (!inTowns(town) || !planCats.has(c)) continue;
    counted.push(row);
    if (operating !== 1) excluded.set(k(e, c), 'notOperating');
    else if (higher.has(k(e, c))) excluded.set(k(e, c), 'higherLevelPlan');
    else if (!exempt && recent.has(k(e, c))) excluded.set(k(e, c), 'sampledWithin6Months');
    else eligible.set(k(e, c), row);
  }
  // the referral that adds each eligible (enterprise, category): the first by id
  const referred = new Map<string, DrawInput['referrals'][number]>();
  for (const r of [...draw.referrals].sort((a, b) => (a.id < b.id ? -1 : 1)))
    for (const c of planCats) {
      if (r.categoryCode !== null && r.categoryCode !== c) continue;
      if (eligible.has(k(r.enterpriseId, c)) && !referred.has(k(r.enterpriseId, c)))
        referred.set(k(r.enterpriseId, c), r);
    }
  return { k, excluded, eligible, referred, counted };
}

describe('computeDraw over random pools (property)', () => {
  it('draws every stratum at its ratio, never an excluded enterprise, with two conflict-free inspectors', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { draw, percents } = build(s);
        const before = structuredClone(draw);
        const out = computeDraw(draw);
        const { k, excluded, eligible, referred, counted } = expectations(draw);
        const byKey = new Map(out.items.map((i) => [k(i.enterpriseId, i.categoryCode), i]));

        // the same input gives the same draw, and the input is left as it was
        expect(draw).toEqual(before);
        expect(computeDraw(structuredClone(draw))).toEqual(out);
        // in any order of the pool (a stored pool is read back as stored), and in two steps as the
        // store computes it: the targets first, the last pairs read for them only, then inspectors
        expect(computeDraw({ ...structuredClone(draw), pool: [...draw.pool].reverse() })).toEqual(out);
        const { lastPairs, ...rest } = structuredClone(draw);
        const draft = beginDraw(rest);
        expect(draft.enterpriseIds).toEqual([...new Set(out.items.map((i) => i.enterpriseId))]);
        expect(draft.finish(lastPairs)).toEqual(out);
        expect(() => draft.finish(lastPairs)).toThrow();

        // (b) every exclusion with its reason, and nothing else excluded
        expect(new Map(out.excluded.map((x) => [k(x.enterpriseId, x.categoryCode), x.reason]))).toEqual(
          excluded,
        );
        expect(out.excluded).toHaveLength(excluded.size);
        expect(out.poolSize).toBe(counted.length);
        // no excluded enterprise drawn; every item is an eligible maker as the pool says
        expect(byKey.size).toBe(out.items.length);
        for (const item of out.items) {
          const row = eligible.get(k(item.enterpriseId, item.categoryCode));
          expect(row, `drawn but not eligible: ${item.categoryCode}/${item.enterpriseId}`).toBeDefined();
          expect([item.grade, item.townCode]).toEqual([row![1], row![2]]);
        }

        // (e) referrals drawn with their reason and reference, whatever the grade; nothing else is
        for (const [key, r] of referred)
          expect(byKey.get(key), `referred ${key}`).toMatchObject({
            reason: r.reason,
            reference: r.reference,
          });
        for (const item of out.items)
          if (item.reason !== 'stratum')
            expect(referred.has(k(item.enterpriseId, item.categoryCode))).toBe(true);

        // (a) and (f): strata per category, quotas, town caps, totals consistent with the items
        const cappedOf = (cat: string, g: Grade) =>
          out.capped.filter((c) => c.categoryCode === cat && eligible.get(k(c.enterpriseId, cat))![1] === g)
            .length;
        for (const cat of draw.plan.body.categories) {
          const got = out.byCategory.find((c) => c.categoryCode === cat.code)!;
          const rows = [...eligible.values()].filter((r) => r[3] === cat.code);
          const refs = [...referred.keys()].filter((key) => key.startsWith(`${cat.code}/`)).length;
          const room = cat.quota > 0 ? Math.max(0, cat.quota - refs) : Number.POSITIVE_INFINITY;
          const want = GRADES.map((g, gi) => {
            const pop = rows.filter((r) => r[1] === g).length;
            return Math.min(pop, Math.floor((percents[gi]! * pop + 99) / 100)); // ceil(ratio × pop)
          });
          const wanted = want.reduce((a, b) => a + b, 0);
          expect(got.quotaApplied).toBe(wanted > room);
          let drawnBeforeCaps = 0;
          GRADES.forEach((g, gi) => {
            const st = got.strata.find((x) => x.grade === g)!;
            const pop = rows.filter((r) => r[1] === g).length;
            const refOfGrade = rows.filter((r) => r[1] === g && referred.has(k(r[0], cat.code))).length;
            expect(st).toMatchObject({ population: pop, ratio: percents[gi]! / 100 });
            const before = st.drawn + cappedOf(cat.code, g);
            drawnBeforeCaps += before;
            if (!got.quotaApplied) expect(before).toBe(Math.min(want[gi]!, pop - refOfGrade));
            else {
              // largest remainder: each grade gets the floor or the ceiling of its share of the room
              const share = (want[gi]! * room) / wanted;
              expect(before).toBeLessThanOrEqual(Math.min(Math.ceil(share), pop - refOfGrade));
            }
            expect(st.drawn).toBe(
              out.items.filter((i) => i.categoryCode === cat.code && i.grade === g && i.reason === 'stratum')
                .length,
            );
          });
          if (got.quotaApplied) {
            expect(drawnBeforeCaps).toBeLessThanOrEqual(room);
            if (refs === 0) expect(drawnBeforeCaps).toBe(room);
          }
        }
        for (const g of GRADES) {
          const per = out.byCategory.map((c) => c.strata.find((x) => x.grade === g)!);
          expect(stratum(out, g)).toEqual({
            grade: g,
            population: per.reduce((a, x) => a + x.population, 0),
            drawn: per.reduce((a, x) => a + x.drawn, 0),
            ratio: draw.ratios[g],
          });
          expect(stratum(out, g).drawn).toBe(
            out.items.filter((i) => i.grade === g && i.reason === 'stratum').length,
          );
        }
        for (const [town, cap] of Object.entries(draw.plan.body.townQuotas)) {
          const inTown = out.items.filter((i) => i.townCode === town);
          const referredInTown = inTown.filter((i) => i.reason !== 'stratum').length;
          expect(inTown.length).toBeLessThanOrEqual(Math.max(cap, referredInTown));
          if (out.capped.some((c) => c.townCode === town)) expect(inTown.length).toBeGreaterThanOrEqual(cap);
        }
        for (const c of out.capped) {
          expect(draw.plan.body.townQuotas[c.townCode]).toBeDefined();
          expect(byKey.has(k(c.enterpriseId, c.categoryCode))).toBe(false);
        }

        // (c) inspectors, in the order they are assigned
        const last = new Map(Object.entries(draw.lastPairs).map(([e, p]) => [e, pairKey(p)]));
        const short = new Set(out.inspectorShortage.map((x) => k(x.enterpriseId, x.categoryCode)));
        for (const item of out.items) {
          const free = draw.inspectors.filter((i) => !i.conflicts.includes(item.enterpriseId));
          const local = free.filter((i) => i.townCode === null || i.townCode === item.townCode);
          const key = k(item.enterpriseId, item.categoryCode);
          if (free.length < 2) {
            expect(short.has(key)).toBe(true);
            expect(item.inspectors).toEqual([]);
            continue;
          }
          expect(short.has(key)).toBe(false);
          expect(item.inspectors).toHaveLength(2);
          expect(new Set(item.inspectors).size).toBe(2);
          for (const id of item.inspectors) expect(free.map((i) => i.userId)).toContain(id);
          const previous = last.get(item.enterpriseId);
          if (free.length > 2 && previous) expect(pairKey(item.inspectors)).not.toBe(previous);
          // the task's town first, unless its own inspectors are only the previous pair
          const localIds = local.map((i) => i.userId);
          if (local.length > 2 || (local.length === 2 && pairKey(localIds) !== previous))
            for (const id of item.inspectors) expect(localIds).toContain(id);
          last.set(item.enterpriseId, pairKey(item.inspectors));
        }
        expect(out.inspectorShortage).toHaveLength(short.size);
      }),
      { numRuns: 400 },
    );
  }, 60_000);
});

// ---- the edges, by name ------------------------------------------------------------------------

describe('computeDraw: strata at the ratios', () => {
  it('draws ceil(ratio × population): one grade-A maker at 2 % is drawn, 50 B at 5 % give 3', () => {
    const out = computeDraw(input({ pool: [...makers('a', 1, 'A'), ...makers('b', 50, 'B')] }));
    expect(stratum(out, 'A')).toEqual({ grade: 'A', population: 1, drawn: 1, ratio: 0.02 });
    expect(stratum(out, 'B')).toEqual({ grade: 'B', population: 50, drawn: 3, ratio: 0.05 });
    expect(out.items).toHaveLength(4);
  });

  it('draws every D at ratio 1 and none of a grade at ratio 0', () => {
    const out = computeDraw(
      input({
        pool: [...makers('d', 7, 'D'), ...makers('a', 30, 'A')],
        ratios: { A: 0, B: 0.05, C: 0.3, D: 1 },
      }),
    );
    expect(stratum(out, 'D')).toMatchObject({ population: 7, drawn: 7 });
    expect(stratum(out, 'A')).toMatchObject({ population: 30, drawn: 0 });
    expect(new Set(out.items.map((i) => i.enterpriseId))).toEqual(
      new Set(makers('d', 7, 'D').map((r) => r[0])),
    );
  });

  it('draws 7 of 100 at a ratio of 0.07 and 7 of 25 at 0.28 (no floating-point extra)', () => {
    // 0.07 × 100 is 7.000000000000001 in binary floating point: ceil would give 8
    const out = computeDraw(
      input({
        pool: [...makers('b', 100, 'B'), ...makers('c', 25, 'C')],
        ratios: { A: 0.02, B: 0.07, C: 0.28, D: 1 },
      }),
    );
    expect(stratum(out, 'B')).toMatchObject({ population: 100, drawn: 7 });
    expect(stratum(out, 'C')).toMatchObject({ population: 25, drawn: 7 });
  });

  it('counts only makers of the plan’s categories in the plan’s towns (others neither counted nor excluded)', () => {
    const out = computeDraw(
      input({
        body: { towns: ['T1'] },
        pool: [
          ...makers('in', 3, 'D'),
          ...makers('out', 3, 'D', 'C1', 'T2'),
          ...makers('cat', 3, 'D', 'C9'),
          ['shut', 'D', 'T2', 'C1', 0],
        ],
      }),
    );
    expect(out.poolSize).toBe(3);
    expect(out.items.map((i) => i.enterpriseId).sort()).toEqual(['in0000', 'in0001', 'in0002']);
    expect(out.excluded).toEqual([]);
  });

  it('keeps strata per category and sums them for the plan', () => {
    const out = computeDraw(
      input({
        body: { categories: [category('C1'), category('C2')] },
        pool: [...makers('x', 4, 'C', 'C1'), ...makers('x', 4, 'C', 'C2'), ...makers('y', 20, 'B', 'C2')],
      }),
    );
    expect(stratum(out, 'C', 'C1')).toMatchObject({ population: 4, drawn: 2 });
    expect(stratum(out, 'C', 'C2')).toMatchObject({ population: 4, drawn: 2 });
    expect(stratum(out, 'B', 'C2')).toMatchObject({ population: 20, drawn: 1 });
    expect(stratum(out, 'C')).toEqual({ grade: 'C', population: 8, drawn: 4, ratio: 0.3 });
    expect(out.items).toHaveLength(5);
  });
});

describe('computeDraw: exclusions with their reasons', () => {
  const pool: PoolRow[] = [
    ['closed', 'D', 'T1', 'C1', 0],
    ['closed-and-higher', 'D', 'T1', 'C1', 0],
    ['higher', 'D', 'T1', 'C1', 1],
    ['higher-and-recent', 'D', 'T1', 'C1', 1],
    ['recent', 'D', 'T1', 'C1', 1],
    ['recent-other-cat', 'D', 'T1', 'C1', 1],
    ['clean', 'D', 'T1', 'C1', 1],
  ];
  const recent: DrawInput['recent'] = [
    ['recent', 'C1', 'DG2025-CC-000007', '2025-12-01'],
    ['higher-and-recent', 'C1', 'DG2025-CC-000008', '2025-12-02'],
    ['recent-other-cat', 'C2', 'DG2025-CC-000009', '2025-12-03'],
  ];
  const higherLevel: DrawInput['higherLevel'] = [
    ['higher', 'C1', 'GD-2026-01'],
    ['higher-and-recent', 'C1', 'GD-2026-01'],
    ['closed-and-higher', 'C1', 'GD-2026-01'],
    ['clean', 'C2', 'GD-2026-01'],
  ];

  it.each(['routine', 'special'] as const)(
    'a %s plan excludes the not operating, the higher-level and the recently sampled, in that order',
    (kind) => {
      const out = computeDraw(input({ kind, pool, recent, higherLevel }));
      expect(out.excluded).toEqual([
        { enterpriseId: 'closed', categoryCode: 'C1', reason: 'notOperating', detail: '' },
        { enterpriseId: 'closed-and-higher', categoryCode: 'C1', reason: 'notOperating', detail: '' },
        { enterpriseId: 'higher', categoryCode: 'C1', reason: 'higherLevelPlan', detail: 'GD-2026-01' },
        {
          enterpriseId: 'higher-and-recent',
          categoryCode: 'C1',
          reason: 'higherLevelPlan',
          detail: 'GD-2026-01',
        },
        {
          enterpriseId: 'recent',
          categoryCode: 'C1',
          reason: 'sampledWithin6Months',
          detail: 'DG2025-CC-000007 (2025-12-01)',
        },
      ]);
      // D at ratio 1: everyone left is drawn, nobody excluded is
      expect(out.items.map((i) => i.enterpriseId).sort()).toEqual(['clean', 'recent-other-cat']);
      expect(stratum(out, 'D')).toMatchObject({ population: 2, drawn: 2 });
    },
  );

  it.each(['followUp', 'emergency'] as const)(
    'a %s plan is exempt from the 6-month rule but not from the others',
    (kind) => {
      const out = computeDraw(input({ kind, pool, recent, higherLevel }));
      expect(out.excluded.map((e) => `${e.enterpriseId}:${e.reason}`)).toEqual([
        'closed:notOperating',
        'closed-and-higher:notOperating',
        'higher:higherLevelPlan',
        'higher-and-recent:higherLevelPlan',
      ]);
      expect(out.items.map((i) => i.enterpriseId).sort()).toEqual(['clean', 'recent', 'recent-other-cat']);
    },
  );
});

describe('computeDraw: referrals and complaints', () => {
  it('draws a referred grade-A enterprise with its reason and reference even at ratio 0', () => {
    const out = computeDraw(
      input({
        pool: [...makers('a', 10, 'A')],
        ratios: { A: 0, B: 0.05, C: 0.3, D: 1 },
        referrals: [
          {
            id: 'r1',
            enterpriseId: 'a0003',
            categoryCode: null,
            reason: 'complaint',
            reference: '12315-2026-0001',
          },
          {
            id: 'r2',
            enterpriseId: 'a0005',
            categoryCode: 'C1',
            reason: 'referral',
            reference: '移送-2026-7',
          },
        ],
      }),
    );
    expect(out.items.map((i) => [i.enterpriseId, i.grade, i.reason, i.reference])).toEqual([
      ['a0003', 'A', 'complaint', '12315-2026-0001'],
      ['a0005', 'A', 'referral', '移送-2026-7'],
    ]);
    expect(stratum(out, 'A')).toEqual({ grade: 'A', population: 10, drawn: 0, ratio: 0 });
  });

  it('adds a referral only in its category, and never an excluded enterprise', () => {
    const out = computeDraw(
      input({
        body: { categories: [category('C1'), category('C2')] },
        pool: [
          ['x', 'A', 'T1', 'C1', 1],
          ['x', 'A', 'T1', 'C2', 1],
          ['closed', 'A', 'T1', 'C1', 0],
        ],
        ratios: { A: 0, B: 0, C: 0, D: 0 },
        referrals: [
          { id: 'r1', enterpriseId: 'x', categoryCode: 'C2', reason: 'complaint', reference: 'TS-1' },
          { id: 'r2', enterpriseId: 'closed', categoryCode: null, reason: 'complaint', reference: 'TS-2' },
        ],
      }),
    );
    expect(out.items.map((i) => `${i.categoryCode}/${i.enterpriseId}`)).toEqual(['C2/x']);
    expect(out.excluded.map((e) => `${e.enterpriseId}:${e.reason}`)).toEqual(['closed:notOperating']);
  });

  it('does not draw a referred enterprise twice in its stratum', () => {
    const out = computeDraw(
      input({
        pool: makers('d', 4, 'D'),
        referrals: [
          { id: 'r1', enterpriseId: 'd0002', categoryCode: null, reason: 'complaint', reference: 'TS' },
        ],
      }),
    );
    expect(out.items.map((i) => `${i.enterpriseId}:${i.reason}`).sort()).toEqual([
      'd0000:stratum',
      'd0001:stratum',
      'd0002:complaint',
      'd0003:stratum',
    ]);
    expect(stratum(out, 'D')).toMatchObject({ population: 4, drawn: 3 });
  });
});

describe('computeDraw: quotas', () => {
  it('scales the strata down to the category quota by largest remainder (ties to the better grade)', () => {
    // wanted: B ceil(0.05×40)=2, C ceil(0.3×10)=3, D 5 → 10; quota 5 → shares 1, 1.5, 2.5
    const out = computeDraw(
      input({
        body: { categories: [category('C1', 5)] },
        pool: [...makers('b', 40, 'B'), ...makers('c', 10, 'C'), ...makers('d', 5, 'D')],
      }),
    );
    expect(out.byCategory[0]!.quotaApplied).toBe(true);
    expect(GRADES.map((g) => stratum(out, g).drawn)).toEqual([0, 1, 2, 2]);
    expect(out.items).toHaveLength(5);
  });

  it('counts referrals against the category quota, and never drops them', () => {
    const out = computeDraw(
      input({
        body: { categories: [category('C1', 2)] },
        pool: makers('d', 6, 'D'),
        referrals: ['d0000', 'd0001', 'd0002'].map((e, i) => ({
          id: `r${i}`,
          enterpriseId: e,
          categoryCode: null,
          reason: 'complaint' as const,
          reference: `TS-${i}`,
        })),
      }),
    );
    expect(out.items.map((i) => i.reason)).toEqual(['complaint', 'complaint', 'complaint']);
    expect(stratum(out, 'D')).toMatchObject({ population: 6, drawn: 0 });
    expect(out.byCategory[0]!.quotaApplied).toBe(true);
  });

  it('leaves a quota larger than the strata alone', () => {
    const out = computeDraw(
      input({ body: { categories: [category('C1', 50)] }, pool: makers('c', 10, 'C') }),
    );
    expect(out.byCategory[0]!.quotaApplied).toBe(false);
    expect(stratum(out, 'C')).toMatchObject({ drawn: 3 });
  });

  it('caps a town over the whole plan, keeping its referrals and the strata in step with the items', () => {
    const out = computeDraw(
      input({
        body: { townQuotas: { T1: 2 }, categories: [category('C1'), category('C2')] },
        pool: [
          ...makers('a', 3, 'D', 'C1', 'T1'),
          ...makers('b', 3, 'D', 'C2', 'T1'),
          ...makers('c', 3, 'D', 'C1', 'T2'),
        ],
        referrals: [
          { id: 'r1', enterpriseId: 'b0001', categoryCode: null, reason: 'referral', reference: 'YS-1' },
        ],
      }),
    );
    const t1 = out.items.filter((i) => i.townCode === 'T1');
    expect(t1).toHaveLength(2);
    expect(t1.some((i) => i.enterpriseId === 'b0001' && i.reason === 'referral')).toBe(true);
    expect(out.items.filter((i) => i.townCode === 'T2')).toHaveLength(3);
    expect(out.capped).toHaveLength(4);
    expect(out.capped.every((c) => c.townCode === 'T1')).toBe(true);
    expect(stratum(out, 'D')).toMatchObject({ population: 9, drawn: 4 });
    expect(stratum(out, 'D', 'C1').drawn + stratum(out, 'D', 'C2').drawn).toBe(4);
  });

  it('a town quota of 0 keeps only the town’s referrals', () => {
    const out = computeDraw(
      input({
        body: { townQuotas: { T1: 0 } },
        pool: makers('d', 3, 'D'),
        referrals: [
          { id: 'r1', enterpriseId: 'd0001', categoryCode: null, reason: 'complaint', reference: 'TS' },
        ],
      }),
    );
    expect(out.items.map((i) => i.enterpriseId)).toEqual(['d0001']);
    expect(out.capped).toHaveLength(2);
  });
});

describe('computeDraw: inspectors', () => {
  it('gives every task two different inspectors and never one with a declared conflict', () => {
    const out = computeDraw(
      input({
        pool: makers('d', 20, 'D'),
        inspectors: [
          { userId: 'i1', townCode: null, conflicts: ['d0000', 'd0001'] },
          { userId: 'i2', townCode: null, conflicts: [] },
          { userId: 'i3', townCode: null, conflicts: ['d0001'] },
          { userId: 'i4', townCode: null, conflicts: [] },
        ],
      }),
    );
    expect(out.inspectorShortage).toEqual([]);
    for (const item of out.items) {
      expect(new Set(item.inspectors).size).toBe(2);
      if (item.enterpriseId === 'd0000') expect(item.inspectors).not.toContain('i1');
      if (item.enterpriseId === 'd0001') expect(item.inspectors.sort()).toEqual(['i2', 'i4']);
    }
  });

  it('reports a shortage when fewer than two inspectors are free of conflict', () => {
    const out = computeDraw(
      input({
        pool: makers('d', 2, 'D'),
        inspectors: [
          { userId: 'i1', townCode: null, conflicts: ['d0000'] },
          { userId: 'i2', townCode: null, conflicts: [] },
          { userId: 'i3', townCode: null, conflicts: ['d0000'] },
        ],
      }),
    );
    expect(out.inspectorShortage).toEqual([{ enterpriseId: 'd0000', categoryCode: 'C1', townCode: 'T1' }]);
    expect(out.items.find((i) => i.enterpriseId === 'd0000')!.inspectors).toEqual([]);
    expect(out.items.find((i) => i.enterpriseId === 'd0001')!.inspectors).toHaveLength(2);
  });

  it('never sends the previous pair again when a third inspector is free; with only two, it must', () => {
    for (let seed = 0; seed < 40; seed++) {
      const three = computeDraw(
        input({ seed, pool: makers('d', 1, 'D'), lastPairs: { d0000: ['i2', 'i1'] } }),
      );
      expect(pairKey(three.items[0]!.inspectors)).not.toBe('i1|i2');
      const two = computeDraw(
        input({
          seed,
          pool: makers('d', 1, 'D'),
          inspectors: [
            { userId: 'i1', townCode: null, conflicts: [] },
            { userId: 'i2', townCode: null, conflicts: [] },
          ],
          lastPairs: { d0000: ['i1', 'i2'] },
        }),
      );
      expect(pairKey(two.items[0]!.inspectors)).toBe('i1|i2');
    }
  });

  it('gives one enterprise drawn in two categories two different pairs', () => {
    for (let seed = 0; seed < 20; seed++) {
      const out = computeDraw(
        input({
          seed,
          body: { categories: [category('C1'), category('C2')] },
          pool: [...makers('d', 1, 'D', 'C1'), ...makers('d', 1, 'D', 'C2')],
        }),
      );
      expect(out.items).toHaveLength(2);
      expect(pairKey(out.items[0]!.inspectors)).not.toBe(pairKey(out.items[1]!.inspectors));
    }
  });

  it('takes the task’s town (and city-wide) inspectors first', () => {
    const inspectors = [
      { userId: 'local', townCode: 'T1', conflicts: [] },
      { userId: 'city', townCode: null, conflicts: [] },
      { userId: 'far1', townCode: 'T2', conflicts: [] },
      { userId: 'far2', townCode: 'T3', conflicts: [] },
    ];
    for (let seed = 0; seed < 20; seed++) {
      const out = computeDraw(input({ seed, pool: makers('d', 1, 'D'), inspectors }));
      expect(out.items[0]!.inspectors.sort()).toEqual(['city', 'local']);
    }
  });

  it('goes beyond the town rather than send the town’s only pair to the same enterprise again', () => {
    const inspectors = [
      { userId: 'local1', townCode: 'T1', conflicts: [] },
      { userId: 'local2', townCode: 'T1', conflicts: [] },
      { userId: 'far', townCode: 'T2', conflicts: [] },
    ];
    for (let seed = 0; seed < 20; seed++) {
      const out = computeDraw(
        input({ seed, pool: makers('d', 1, 'D'), inspectors, lastPairs: { d0000: ['local1', 'local2'] } }),
      );
      expect(pairKey(out.items[0]!.inspectors)).not.toBe('local1|local2');
      expect(out.items[0]!.inspectors).toContain('far');
    }
  });
});

describe('computeDraw: the seed', () => {
  const big = input({ pool: makers('b', 400, 'B') });

  it('gives the same draw for the same input, and usually another for another seed', () => {
    expect(computeDraw(structuredClone(big))).toEqual(computeDraw(big));
    const draws = new Set<string>();
    for (let seed = 1; seed <= 30; seed++)
      draws.add(
        computeDraw({ ...big, seed })
          .items.map((i) => i.enterpriseId)
          .sort()
          .join(','),
      );
    // 20 of 400 each time: two seeds giving the same 20 would be a broken generator
    expect(draws.size).toBe(30);
  });

  it('does not depend on the order of the pool, the referrals or the register as stored', () => {
    const shuffled: DrawInput = {
      ...big,
      pool: [...big.pool].reverse(),
      inspectors: [...big.inspectors].reverse(),
    };
    expect(computeDraw(shuffled)).toEqual(computeDraw(big));
  });
});
