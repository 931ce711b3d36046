import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { isUuid } from '../../core/ids.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { PROFILE_KINDS } from './migrations.js';
import { validateResidentId } from './resident-id.js';
import {
  createRng,
  demoSampleUscc,
  generateEnterprises,
  SEED_AS_OF,
  type SeedResult,
  seedAsOf,
  seedRegistry,
} from './seed.js';
import { validateUscc } from './uscc.js';

const CHANGAN = '441900119';
const HUMEN = '441900121';
const DALANG = '441900113';
const SONGSHANHU = '441900401';
const clock = fixedClock('2026-11-26T02:00:00.000Z');

const demo = (seed: number, asOf = SEED_AS_OF) => [...generateEnterprises({ scale: 'demo', seed, asOf })];
const share = (xs: unknown[], n: number) => xs.length / n;

describe('seed generator', () => {
  it('draws the same numbers from the same seed, and spreads them evenly', () => {
    const a = createRng(2016);
    const b = createRng(2016);
    const xs = Array.from({ length: 20_000 }, () => a.next());
    expect(Array.from({ length: 20_000 }, () => b.next())).toEqual(xs);
    expect(createRng(2017).next()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const buckets = new Array(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    for (const n of buckets) expect(n).toBeGreaterThan(1_800);
  });

  it('gives byte-identical data for a seed, ids included, and different data for another seed', () => {
    const a = demo(2016);
    expect(JSON.stringify(demo(2016))).toBe(JSON.stringify(a));
    const b = demo(7);
    const usccA = new Set(a.map((e) => e.input.uscc));
    expect(b.filter((e) => usccA.has(e.input.uscc)).length).toBeLessThan(5);
    expect(b.map((e) => e.input.name)).not.toEqual(a.map((e) => e.input.name));
    const ids = a.flatMap((e) => [
      e.id,
      ...(e.profile ? [e.profile.id] : []),
      ...e.contacts.map((c) => c.id),
    ]);
    expect(ids.every(isUuid)).toBe(true);
    expect(ids.every((id) => id[14] === '7')).toBe(true);
    expect([...ids].sort()).toEqual(ids); // time-ordered in generation order
    expect(demoSampleUscc()).toEqual(demoSampleUscc(2016));
  });

  it('leaves the rest of the city as it is when manufacturers are given what they make', () => {
    const catalogue = [
      { code: '0104', industryCode: '39' },
      { code: '0105', industryCode: '39' },
      { code: '0107', industryCode: '39' },
      { code: '0201', industryCode: '24' },
    ];
    const bare = demo(2016);
    const made = [...generateEnterprises({ scale: 'demo', seed: 2016, asOf: SEED_AS_OF, catalogue })];
    expect(
      made.map(({ input: { productCategories: _p, ...rest }, ...e }) => ({ ...e, input: rest })),
    ).toEqual(bare);
    const electronics = made.filter((e) => e.input.industryCode === '39');
    expect(electronics.every((e) => e.input.productCategories?.length)).toBe(true);
    const counts = electronics.map((e) => e.input.productCategories!.length);
    expect(new Set(counts)).toEqual(new Set([1, 2, 3]));
    expect(made.filter((e) => e.input.industryCode === '18').every((e) => !e.input.productCategories)).toBe(
      true,
    );
    expect(
      JSON.stringify([...generateEnterprises({ scale: 'demo', seed: 2016, asOf: SEED_AS_OF, catalogue })]),
    ).toBe(JSON.stringify(made));
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => demo(Number.NaN)).toThrow(/integer/);
  });

  it('stands on a fixed day, or on the clock’s day when that is earlier', () => {
    expect(seedAsOf(new Date('2030-01-01T00:00:00Z'))).toBe(SEED_AS_OF);
    expect(seedAsOf(new Date('2016-04-28T16:30:00Z'))).toBe('2016-04-29'); // already the 29th in Shanghai
    const past = demo(2016, '2016-04-29');
    const dates = past.map((e) => e.input.registeredOn!);
    expect(dates.every((d) => d >= '1985-01-01' && d < '2016-04-29')).toBe(true);
    // Codes issued since October 2015 start with MA; older firms kept their organisation code.
    for (const e of past)
      expect(e.input.uscc.slice(8, 10) === 'MA').toBe(e.input.registeredOn! >= '2015-10-01');
  });
});

for (const dialect of DIALECTS) {
  describe(`seedRegistry [${dialect}]`, () => {
    let rt: Runtime;
    let result: SeedResult;
    const progress: [number, number][] = [];
    const expected = demo(2016);

    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
      result = await seedRegistry(rt, {
        scale: 'demo',
        seed: 2016,
        onProgress: (d, t) => progress.push([d, t]),
      });
    }, 60_000);
    afterAll(async () => rt?.close());

    const enterprises = () =>
      rt.db
        .selectFrom('enterprises as e')
        .innerJoin('industries as i', 'i.code', 'e.industry_code')
        .selectAll('e')
        .select('i.section')
        .orderBy('e.id')
        .execute();

    it('writes about 2,000 enterprises across all 36 towns, reporting progress', async () => {
      const rows = await enterprises();
      expect(result).toMatchObject({ enterprises: rows.length, skipped: false, asOf: SEED_AS_OF });
      expect(rows.length).toBeGreaterThanOrEqual(1_900);
      expect(rows.length).toBeLessThanOrEqual(2_100);
      expect(new Set(rows.map((r) => r.town_code)).size).toBe(36);
      expect(progress.at(-1)).toEqual([rows.length, rows.length]);
      // Bigger towns are bigger: 长安 and 虎门 each hold more than the three small functional areas together.
      const inTown = (code: string) => rows.filter((r) => r.town_code === code).length;
      const small = inTown('441900402') + inTown('441900403') + inTown('441900404');
      expect(inTown(CHANGAN)).toBeGreaterThan(small);
      expect(inTown(HUMEN)).toBeGreaterThan(small);
    });

    it('writes exactly what the generator yields for the seed, ids and timestamps included', async () => {
      const rows = await enterprises();
      expect(
        rows.map((r) => [
          r.id,
          r.uscc,
          r.name,
          r.town_code,
          r.status,
          r.registered_on,
          r.scale,
          JSON.parse(r.tags),
        ]),
      ).toEqual(
        expected.map((e) => [
          e.id,
          e.input.uscc,
          e.input.name,
          e.input.townCode,
          e.input.status,
          e.input.registeredOn,
          e.input.scale,
          e.input.tags,
        ]),
      );
      expect(new Set(rows.map((r) => r.created_at))).toEqual(new Set(['2026-06-29T16:00:00.000Z']));
      const contacts = await rt.db
        .selectFrom('enterprise_contacts')
        .select(['id', 'name', 'phone', 'resident_id'])
        .orderBy('id')
        .execute();
      expect(contacts).toEqual(
        expected.flatMap((e) =>
          e.contacts.map((c) => ({ id: c.id, name: c.name, phone: c.phone, resident_id: c.residentId })),
        ),
      );
    });

    it('gives every enterprise a valid, unique USCC of Dongguan and a unique name', async () => {
      const rows = await enterprises();
      for (const r of rows) {
        const v = validateUscc(r.uscc);
        expect(v.ok, r.uscc).toBe(true);
        if (v.ok) expect(v.parts.division).toBe('441900');
      }
      expect(new Set(rows.map((r) => r.uscc)).size).toBe(rows.length);
      expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
      expect(rows.every((r) => /^(东莞市?|广东).+(有限公司|分公司)$|\(东莞\)有限公司$/.test(r.name))).toBe(
        true,
      );
      expect(
        rows.every((r) => r.legal_representative && /^[\u4e00-\u9fff]{2,4}$/.test(r.legal_representative)),
      ).toBe(true);
      expect(rows.every((r) => r.registered_address?.startsWith('广东省东莞市'))).toBe(true);
      expect(rows.every((r) => r.registered_on! >= '1985-01-01' && r.registered_on! < SEED_AS_OF)).toBe(true);
    });

    it('mixes status, scale and industry like the city', async () => {
      const rows = await enterprises();
      const n = rows.length;
      const by = (f: (r: (typeof rows)[number]) => boolean) => share(rows.filter(f), n);
      expect(by((r) => r.status === 'operating')).toBeGreaterThan(0.75);
      expect(by((r) => r.status === 'operating')).toBeLessThan(0.92);
      for (const s of ['suspended', 'cancelled', 'revoked']) {
        expect(
          by((r) => r.status === s),
          s,
        ).toBeGreaterThan(0.01);
        expect(
          by((r) => r.status === s),
          s,
        ).toBeLessThan(0.15);
      }
      expect(by((r) => r.scale === 'large')).toBeGreaterThan(0.002);
      expect(by((r) => r.scale === 'large')).toBeLessThan(0.03);
      expect(by((r) => r.scale === 'medium')).toBeLessThan(0.1);
      expect(by((r) => r.scale === 'micro')).toBeGreaterThan(0.45);
      expect(by((r) => r.scale === 'micro' || r.scale === 'small')).toBeGreaterThan(0.85);
      expect(by((r) => r.section === 'C')).toBeGreaterThanOrEqual(0.55);
      const divisions = new Map<string, number>();
      for (const r of rows) divisions.set(r.industry_code!, (divisions.get(r.industry_code!) ?? 0) + 1);
      const top = [...divisions].sort((a, b) => b[1] - a[1])[0]![0];
      expect(top).toBe('39'); // electronics leads
      for (const d of ['38', '17', '18', '21', '24', '22', '29', '33', '35', '51', '52'])
        expect(divisions.get(d), d).toBeGreaterThan(10);
      // 虎门 makes clothes, 大朗 knits: garments and textiles weigh more there than in the city.
      const inTown = (code: string, f: (r: (typeof rows)[number]) => boolean) => {
        const t = rows.filter((r) => r.town_code === code);
        return share(t.filter(f), t.length);
      };
      expect(inTown(HUMEN, (r) => r.industry_code === '18')).toBeGreaterThan(
        2 * by((r) => r.industry_code === '18'),
      );
      expect(inTown(DALANG, (r) => r.industry_code === '17')).toBeGreaterThan(
        2 * by((r) => r.industry_code === '17'),
      );
    });

    it('tags exporters most in 长安, 虎门 and 大朗, high-tech firms in 松山湖, key energy units rarely', async () => {
      const rows = await enterprises();
      const tagged = (tag: string, inTowns: (t: string) => boolean) => {
        const t = rows.filter((r) => inTowns(r.town_code));
        return share(
          t.filter((r) => JSON.parse(r.tags).includes(tag)),
          t.length,
        );
      };
      const exportTowns = new Set([CHANGAN, HUMEN, DALANG]);
      expect(tagged('exporter', (t) => exportTowns.has(t))).toBeGreaterThan(
        1.5 * tagged('exporter', (t) => !exportTowns.has(t)),
      );
      expect(tagged('highTech', (t) => t === SONGSHANHU)).toBeGreaterThan(
        3 * tagged('highTech', (t) => t !== SONGSHANHU),
      );
      const energy = tagged('keyEnergyUnit', () => true);
      expect(energy).toBeGreaterThan(0);
      expect(energy).toBeLessThan(0.03);
      const tagRows = await rt.db
        .selectFrom('enterprise_tags')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(tagRows.n)).toBe(rows.reduce((a, r) => a + JSON.parse(r.tags).length, 0));
    });

    it('gives some enterprises of every profile kind, all operating', async () => {
      const profiles = await rt.db
        .selectFrom('enterprise_profiles as p')
        .innerJoin('enterprises as e', 'e.id', 'p.enterprise_id')
        .select(['p.kind', 'p.details', 'p.since', 'e.status', 'e.registered_on', 'e.industry_code'])
        .execute();
      for (const kind of PROFILE_KINDS)
        expect(profiles.filter((p) => p.kind === kind).length, kind).toBeGreaterThanOrEqual(3);
      expect(profiles.every((p) => p.status === 'operating')).toBe(true);
      expect(profiles.every((p) => p.since! >= p.registered_on! && p.since! < SEED_AS_OF)).toBe(true);
      expect(
        profiles
          .filter((p) => p.kind === 'maintenanceUnit')
          .every((p) => /^TS3444\d{3}-\d{4}$/.test(JSON.parse(p.details).licenceNo)),
      ).toBe(true);
      expect(
        profiles.filter((p) => p.kind === 'instrumentManufacturer').every((p) => p.industry_code === '40'),
      ).toBe(true);
    });

    it('gives contacts a role, a mobile number, and resident IDs that pass GB 11643', async () => {
      const contacts = await rt.db.selectFrom('enterprise_contacts').selectAll().execute();
      const live = await rt.db
        .selectFrom('enterprises')
        .select('id')
        .where('status', 'in', ['operating', 'suspended'])
        .execute();
      const withContact = new Set(contacts.map((c) => c.enterprise_id));
      expect(live.every((e) => withContact.has(e.id))).toBe(true);
      expect(contacts.every((c) => c.role === '质量负责人' || c.role === '联系人')).toBe(true);
      expect(contacts.every((c) => /^1[3-9]\d{9}$/.test(c.phone ?? ''))).toBe(true);
      const ids = contacts.map((c) => c.resident_id).filter((x): x is string => !!x);
      expect(ids.length).toBeGreaterThan(contacts.length / 5);
      for (const id of ids) expect(validateResidentId(id, { today: SEED_AS_OF }).ok, id).toBe(true);
      const local = ids.filter((id) => id.startsWith('4419')).length;
      expect(local / ids.length).toBeGreaterThan(0.25); // Dongguan natives
      expect(local / ids.length).toBeLessThan(0.6); // and the migrants who came to work
    });

    it('has 1–3 product categories of its own division for nine manufacturers in ten, and none elsewhere', async () => {
      const rows = await enterprises();
      const links = await rt.db
        .selectFrom('enterprise_products as p')
        .innerJoin('product_categories as c', 'c.code', 'p.category_code')
        .select(['p.enterprise_id', 'p.category_code', 'c.industry_code', 'c.active'])
        .execute();
      const byEnterprise = new Map<string, typeof links>();
      for (const l of links)
        byEnterprise.set(l.enterprise_id, [...(byEnterprise.get(l.enterprise_id) ?? []), l]);
      const section = new Map(rows.map((r) => [r.id, r]));
      const manufacturers = rows.filter((r) => r.section === 'C');
      const making = manufacturers.filter((r) => byEnterprise.has(r.id));
      expect(making.length / manufacturers.length).toBeGreaterThanOrEqual(0.9);
      for (const [id, made] of byEnterprise) {
        const e = section.get(id)!;
        expect(e.section, e.uscc).toBe('C');
        expect(made.length).toBeGreaterThanOrEqual(1);
        expect(made.length).toBeLessThanOrEqual(3);
        // the catalogue names each category's division: every link fits the maker's industry
        for (const l of made) expect(l.industry_code, `${e.uscc} ${l.category_code}`).toBe(e.industry_code);
        expect(made.every((l) => l.active === 1)).toBe(true);
      }
      // makers of every status: the sampling draw states its own reason for leaving one out
      expect(new Set(making.map((r) => r.status))).toEqual(
        new Set(['operating', 'suspended', 'cancelled', 'revoked']),
      );
      // the electronics and toy towns make their own categories in numbers
      const makers = (code: string) => links.filter((l) => l.category_code === code).length;
      for (const code of ['0101', '0104', '0107', '0201', '0204', '0301', '0401', '0402'])
        expect(makers(code), code).toBeGreaterThan(10);
      // exactly what the generator draws from the same catalogue
      const catalogue = (
        await rt.db
          .selectFrom('product_categories')
          .select(['code', 'industry_code'])
          .where('active', '=', 1)
          .where('industry_code', 'is not', null)
          .execute()
      ).map((c) => ({ code: c.code, industryCode: c.industry_code! }));
      const want = [
        ...generateEnterprises({ scale: 'demo', seed: 2016, asOf: SEED_AS_OF, catalogue }),
      ].flatMap((e) => (e.input.productCategories ?? []).map((code) => `${e.id} ${code}`));
      expect(links.map((l) => `${l.enterprise_id} ${l.category_code}`).sort()).toEqual(want.sort());
    });

    it('audits the load per batch and announces every enterprise on the outbox', async () => {
      const audits = await rt.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'enterprise.seed')
        .execute();
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({
        actor_label: 'seed',
        resource_type: 'enterprise',
        at: clock.now().toISOString(),
      });
      expect(JSON.parse(audits[0]!.after!)).toMatchObject({
        count: 2_000,
        firstUscc: expected[0]!.input.uscc,
        lastUscc: expected.at(-1)!.input.uscc,
      });
      const events = await rt.db
        .selectFrom('outbox_events')
        .select(['type', 'enterprise_id', 'payload'])
        .execute();
      expect(events).toHaveLength(expected.length);
      expect(
        events.every(
          (e) => e.type === 'registry.enterprise.created' && JSON.parse(e.payload).source === 'seed',
        ),
      ).toBe(true);
    });

    it('names sample enterprises for the demo accounts', async () => {
      const get = (uscc: string) =>
        rt.db
          .selectFrom('enterprises as e')
          .leftJoin('enterprise_profiles as p', 'p.enterprise_id', 'e.id')
          .select(['e.town_code', 'e.status', 'p.kind'])
          .where('e.uscc', '=', uscc)
          .executeTakeFirstOrThrow();
      expect(await get(result.sampleUscc.enterprise)).toEqual({
        town_code: CHANGAN,
        status: 'operating',
        kind: null,
      });
      expect(await get(result.sampleUscc.lab)).toMatchObject({ status: 'operating', kind: 'lab' });
      expect(await get(result.sampleUscc.maintenanceUnit)).toMatchObject({
        status: 'operating',
        kind: 'maintenanceUnit',
      });
      expect(result.sampleUscc).toEqual(demoSampleUscc(2016));
    });

    it('skips, writing nothing, when the register already has enterprises', async () => {
      const before = await enterprises();
      const again = await seedRegistry(rt, { scale: 'demo', seed: 99 });
      expect(again).toMatchObject({ enterprises: 0, skipped: true, sampleUscc: result.sampleUscc });
      expect(await enterprises()).toEqual(before);
      expect(
        await rt.db.selectFrom('audit_log').select('id').where('action', '=', 'enterprise.seed').execute(),
      ).toHaveLength(1);
    });

    it('writes the same register for the same seed into another database, and a different one for another seed', async () => {
      const snapshot = async (r: Runtime) => ({
        enterprises: await r.db.selectFrom('enterprises').selectAll().orderBy('id').execute(),
        contacts: await r.db.selectFrom('enterprise_contacts').selectAll().orderBy('id').execute(),
        profiles: await r.db.selectFrom('enterprise_profiles').selectAll().orderBy('id').execute(),
        products: await r.db
          .selectFrom('enterprise_products')
          .selectAll()
          .orderBy('enterprise_id')
          .orderBy('category_code')
          .execute(),
      });
      const same = await testContext(dialect, { clock });
      const other = await testContext(dialect, { clock });
      try {
        await seedRegistry(same, { scale: 'demo', seed: 2016 });
        await seedRegistry(other, { scale: 'demo', seed: 7 });
        expect(await snapshot(same)).toEqual(await snapshot(rt));
        const key = (rows: { uscc: string; name: string; town_code: string; status: string }[]) =>
          rows.map((r) => `${r.uscc} ${r.name} ${r.town_code} ${r.status}`);
        expect(key((await snapshot(other)).enterprises)).not.toEqual(key((await snapshot(rt)).enterprises));
      } finally {
        await same.close();
        await other.close();
      }
    }, 60_000);
  });
}
