// The generated register: `zhihui seed --scale demo|city [--seed N]` and the first-run demo city.
// Everything comes from one seeded PRNG and a fixed "as of" date, so a seed gives byte-identical
// enterprises, tags, profiles, contacts and (for the same catalogue) what manufacturers make — ids
// and timestamps included — on any machine, any day and either database. Rows are validated by the same rules as the API and the import
// (validateEnterprise) and written as a bulk load by the system actor: multi-row inserts in one
// transaction, one audit row per batch (see the comment on seedRegistry for why).
import type { Kysely } from 'kysely';
import { todayInShanghai } from '../../core/workdays.js';
import { json } from '../../db/codecs.js';
import { refreshStatistics } from '../../db/maintenance.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import { type AppContext, systemActor } from '../../platform/context.js';
import { emitEvents } from '../../platform/events/outbox.js';
import type { SeedOptions, SeedScale } from '../types.js';
import type { EnterpriseInput, EnterpriseScale, EnterpriseStatus } from './enterprise-input.js';
import { validateEnterprise } from './enterprise-input.js';
import { inputToColumns, loadReferenceLookup } from './enterprises.js';
import type { PROFILE_KINDS } from './migrations.js';
import { shippedTowns } from './reference.js';
import { residentIdCheckChar } from './resident-id.js';
import {
  type CONTACT_ROLES,
  GIVEN_FEMALE,
  GIVEN_MALE,
  GIVEN_NOT_ALONE,
  INDUSTRIAL_ZONES,
  INDUSTRIES,
  type IndustrySpec,
  MOBILE_PREFIXES,
  MODERN_WORDS,
  NAME_STYLES,
  orgCodePrefix,
  PROFILE_DETAIL_PARTS,
  PROFILE_KIND_SPECS,
  PROFILE_QUOTAS,
  PROFILE_SCALES,
  RESIDENT_DIVISIONS,
  ROAD_NAMES,
  registrationYearWeight,
  SURNAMES,
  TOWN_PROFILES,
  TRADE_NAME_AVOID,
  TRADE_NAME_FIRST,
  TRADE_NAME_SECOND,
} from './seed-data.js';
import { makeUscc, USCC_CHARSET } from './uscc.js';

export const DEMO_SEED = 2016;
export const SEED_SIZES: Record<SeedScale, number> = { demo: 2_000, city: 200_000 };
/**
 * The day the generated city stands on (registrations end the day before). Fixed, so that a seed
 * means the same data whenever it runs; a clock before it (a back-dated demo) moves it earlier.
 */
export const SEED_AS_OF = '2026-06-30';

type ProfileKind = (typeof PROFILE_KINDS)[number];

// --- PRNG --------------------------------------------------------------------------------

export type Rng = {
  /** Uniform in [0, 1). */
  next: () => number;
  /** Integer in [0, n). */
  int: (n: number) => number;
  chance: (p: number) => boolean;
  pick: <T>(items: readonly T[]) => T;
};

/** sfc32, its 128-bit state filled by splitmix32 from the seed and a stream number. */
export function createRng(seed: number, stream = 0): Rng {
  let s = (Math.trunc(seed) ^ Math.imul(stream + 1, 0x9e3779b9) ^ Math.trunc(seed / 2 ** 32)) >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(),
    b = splitmix(),
    c = splitmix(),
    d = splitmix();
  const u32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = ((c << 21) | (c >>> 11)) + t;
    c |= 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) u32();
  const next = () => u32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

/** A picker over weighted items: cumulative weights and a binary search. */
function weighted<T>(items: readonly (readonly [T, number])[]): (rng: Rng) => T {
  const values = items.filter(([, w]) => w > 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const [, w] of values) {
    sum += w;
    cumulative.push(sum);
  }
  if (values.length === 0) throw new Error('weighted: no item has a positive weight');
  return (rng) => {
    const x = rng.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return values[lo]![0];
  };
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * UUIDv7-shaped ids from a fixed base time: 48-bit milliseconds, a 12-bit counter in rand_a (so
 * ids sort in generation order, RFC 9562 method 1) and 62 bits from the PRNG.
 */
export function idFactory(baseMs: number, rng: Rng) {
  let seq = 0;
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  return () => {
    const ms = baseMs + Math.floor(seq / 4096);
    const counter = seq % 4096;
    seq++;
    const t = hex(ms, 12);
    const r1 = rng.int(0x10000);
    const r2 = rng.int(0x1000000);
    const r3 = rng.int(0x1000000);
    return `${t.slice(0, 8)}-${t.slice(8)}-7${hex(counter, 3)}-${hex(0x8000 | (r1 & 0x3fff), 4)}-${hex(r2, 6)}${hex(r3, 6)}`;
  };
}

// --- generation --------------------------------------------------------------------------

export type SeedProfile = { id: string; kind: ProfileKind; details: Record<string, unknown>; since: string };
export type SeedContact = {
  id: string;
  name: string;
  role: (typeof CONTACT_ROLES)[number];
  phone: string;
  email: string | null;
  residentId: string | null;
  createdAt: string;
};
export type SeedEnterprise = {
  id: string;
  input: EnterpriseInput;
  profile: SeedProfile | null;
  contacts: SeedContact[];
};
/** A product category the seed may link manufacturers to: active, with the division it belongs to. */
export type SeedCategory = { code: string; industryCode: string };
export type SeedPlan = {
  scale: SeedScale;
  seed: number;
  asOf: string;
  count?: number;
  /**
   * The catalogue to draw what manufacturers make from. Without it nobody makes anything; with it,
   * each enterprise of section C whose division has categories makes 1–3 of them (its own random
   * stream, so the rest of the city is the same with or without).
   */
  catalogue?: readonly SeedCategory[];
};
export type SampleUscc = { enterprise: string; lab: string; maintenanceUnit: string };

/** The instant the seeded rows carry as created_at: the start of the as-of day in Shanghai. */
export const seedInstant = (asOf: string) => new Date(`${asOf}T00:00:00+08:00`);

/** The as-of date for a run: the fixed SEED_AS_OF, or the clock's day when that is earlier. */
export function seedAsOf(now: Date): string {
  const today = todayInShanghai(now);
  return today < SEED_AS_OF ? today : SEED_AS_OF;
}

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

/** Largest-remainder quotas with a floor, summing exactly to n. */
function quotas(weights: number[], n: number, floor: number): number[] {
  const free = n - floor * weights.length;
  if (free < 0) throw new Error(`Cannot give ${weights.length} towns ${floor} enterprises each out of ${n}`);
  const total = weights.reduce((a, w) => a + w, 0);
  const exact = weights.map((w) => (w / total) * free);
  const q = exact.map((x) => Math.floor(x));
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (let k = 0, left = free - q.reduce((a, x) => a + x, 0); k < left; k++) q[order[k]![1]]!++;
  return q.map((x) => x + floor);
}

const TRADE_PAIRS = TRADE_NAME_FIRST.flatMap((a) =>
  TRADE_NAME_SECOND.filter((b) => b !== a && !TRADE_NAME_AVOID.has(a + b)).map((b) => a + b),
);

const SCALES_BY_SECTION: Record<'C' | 'other', [EnterpriseScale, number][]> = {
  C: [
    ['large', 1.2],
    ['medium', 7],
    ['small', 32],
    ['micro', 59.8],
  ],
  other: [
    ['large', 0.3],
    ['medium', 2.5],
    ['small', 18],
    ['micro', 79.2],
  ],
};
const EXPORT_DIVISIONS: Record<string, number> = {
  '39': 1.5,
  '24': 1.6,
  '18': 1.5,
  '17': 1.5,
  '21': 1.4,
  '19': 1.5,
  '13': 0.4,
  '14': 0.4,
  '22': 0.5,
  '23': 0.4,
  '30': 0.5,
};
const HIGH_TECH_DIVISIONS = new Set([
  '39',
  '38',
  '35',
  '34',
  '40',
  '27',
  '26',
  '29',
  '65',
  '64',
  '73',
  '74',
  '75',
]);
const ENERGY_DIVISIONS = new Set(['13', '17', '22', '26', '30', '31', '32']);
const LICENSED_DIVISIONS = new Set(['13', '14', '15', '22', '26', '30', '38']);
const SCALE_FACTOR: Record<EnterpriseScale, number> = { large: 4, medium: 2.5, small: 1.2, micro: 0.4 };
/** How many of its division's categories a manufacturer makes: mostly one or two. */
const PRODUCT_COUNT: [number, number][] = [
  [1, 50],
  [2, 35],
  [3, 15],
];

function townShort(name: string) {
  return name.replace(/(街道|镇)$/, '').replace(/^东莞(?=.{3,})/, '');
}

/** Yields the enterprises of a plan, in a fixed order; pure (no database, no clock). */
export function* generateEnterprises(plan: SeedPlan): Generator<SeedEnterprise> {
  const { scale, seed, asOf } = plan;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`Seed must be an integer, got ${seed}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || asOf < '1986-01-01')
    throw new RangeError(`asOf must be a date from 1986-01-01, got ${asOf}`);
  const n = plan.count ?? SEED_SIZES[scale];
  const rPlan = createRng(seed, 1);
  const r = createRng(seed, 2);
  const newId = idFactory(seedInstant(asOf).getTime(), createRng(seed, 3));
  const rProducts = createRng(seed, 4);
  const productCount = weighted(PRODUCT_COUNT);
  const categoriesOf = new Map<string, string[]>();
  for (const c of [...(plan.catalogue ?? [])].sort((a, b) => (a.code < b.code ? -1 : 1))) {
    const list = categoriesOf.get(c.industryCode) ?? [];
    if (!list.includes(c.code)) list.push(c.code);
    categoriesOf.set(c.industryCode, list);
  }
  const createdAtMs = seedInstant(asOf).getTime();
  const lastDayMs = dayMs(asOf) - DAY_MS;
  const lastYear = new Date(lastDayMs).getUTCFullYear();

  // Where each enterprise is: exact quotas per town (every town gets some), shuffled.
  const towns = shippedTowns().map((t) => ({ ...t, profile: TOWN_PROFILES[t.name] ?? { weight: 1 } }));
  const townQuota = quotas(
    towns.map((t) => t.profile.weight),
    n,
    Math.min(3, Math.floor(n / towns.length)),
  );
  const townOf = shuffle(
    townQuota.flatMap((q, i) => Array.from({ length: q }, () => i)),
    rPlan,
  );
  // Which enterprises carry a profile: the scale's quota of each kind, at distinct positions.
  const profileOf = new Map<number, ProfileKind>();
  const wanted =
    plan.count === undefined
      ? PROFILE_QUOTAS[scale]
      : scaledQuotas(PROFILE_QUOTAS[scale], n / SEED_SIZES[scale]);
  for (const kind of Object.keys(PROFILE_KIND_SPECS) as ProfileKind[]) {
    for (let k = 0; k < wanted[kind] && profileOf.size < n; k++) {
      let i = rPlan.int(n);
      while (profileOf.has(i)) i = rPlan.int(n);
      profileOf.set(i, kind);
    }
  }

  const industryPickers = towns.map((t) =>
    weighted(
      INDUSTRIES.map(
        (s) =>
          [
            s,
            s.weight * (t.profile.industry?.[s.code] ?? 1) * (t.profile.industry?.[s.section] ?? 1),
          ] as const,
      ),
    ),
  );
  const industryByCode = new Map(INDUSTRIES.map((s) => [s.code, s]));
  const scalePicker = { C: weighted(SCALES_BY_SECTION.C), other: weighted(SCALES_BY_SECTION.other) };
  const profileScalePicker = Object.fromEntries(
    Object.entries(PROFILE_SCALES).map(([k, v]) => [k, weighted(v)]),
  ) as Record<ProfileKind, (rng: Rng) => EnterpriseScale>;
  const years = Array.from({ length: lastYear - 1985 + 1 }, (_, k) => 1985 + k);
  const yearFraction = (y: number) =>
    y < lastYear ? 1 : (lastDayMs - Date.UTC(y, 0, 1) + DAY_MS) / (365 * DAY_MS);
  const yearPicker = Object.fromEntries(
    (['large', 'medium', 'small', 'micro'] as const).map((s) => [
      s,
      weighted(years.map((y) => [y, registrationYearWeight(y, s) * yearFraction(y)] as const)),
    ]),
  ) as Record<EnterpriseScale, (rng: Rng) => number>;
  const styleOf = weighted(NAME_STYLES);
  const surname = weighted(SURNAMES);
  const division = weighted(RESIDENT_DIVISIONS);

  const names = new Set<string>();
  const usccs = new Set<string>();

  const personName = (male: boolean) => {
    const chars = male ? GIVEN_MALE : GIVEN_FEMALE;
    const first = r.pick(chars);
    if (r.chance(0.3) && !GIVEN_NOT_ALONE.has(first)) return surname(r) + first;
    let second = r.pick(chars);
    if (second === first && (male || r.chance(0.7))) second = r.pick(chars);
    return surname(r) + first + second;
  };

  const dateIn = (year: number, notBefore?: string) => {
    const from = Math.max(Date.UTC(year, 0, 1), notBefore ? dayMs(notBefore) : -Infinity);
    const to = Math.min(Date.UTC(year, 11, 31), lastDayMs);
    return isoDay(from + r.int(Math.max(1, Math.floor((to - from) / DAY_MS) + 1)) * DAY_MS);
  };

  const makeCode = (registeredOn: string) => {
    for (;;) {
      const prefix = orgCodePrefix(registeredOn, r.next);
      const alphabet = prefix.startsWith('MA') ? USCC_CHARSET : '0123456789';
      let body = prefix;
      while (body.length < 8) body += alphabet[r.int(alphabet.length)];
      const code = makeUscc({ authority: '9', entityType: '1', division: '441900', orgCodeBody8: body });
      if (!usccs.has(code)) {
        usccs.add(code);
        return code;
      }
    }
  };

  const makeName = (o: {
    spec: IndustrySpec;
    words: readonly string[];
    scale: EnterpriseScale;
    year: number;
    town: string;
  }) => {
    const big = o.scale === 'large' || o.scale === 'medium';
    const suffix =
      (o.scale === 'large' && r.chance(0.4)) || (o.scale === 'medium' && r.chance(0.1))
        ? '股份有限公司'
        : '有限公司';
    let style = styleOf(r);
    if (style === 'foreign' && !(o.spec.section === 'C' && o.year < 2010 && o.scale !== 'micro'))
      style = 'city';
    if (style === 'province' && !big) style = 'city';
    for (let attempt = 0; ; attempt++) {
      const pair = r.pick(TRADE_PAIRS);
      let trade = pair;
      if (attempt >= 6) {
        let head = r.pick(TRADE_NAME_FIRST);
        while (pair.includes(head)) head = r.pick(TRADE_NAME_FIRST);
        trade = head + pair;
      }
      if (attempt >= 12) trade = townShort(o.town) + trade;
      const word = r.pick(o.words);
      const name =
        attempt >= 24
          ? `东莞市${trade}${word}有限公司${townShort(o.town)}分公司`
          : style === 'foreign'
            ? `${trade}${word}(东莞)有限公司` // validateEnterprise stores brackets half-width
            : `${style === 'province' ? '广东' : style === 'plain' ? '东莞' : '东莞市'}${trade}${word}${suffix}`;
      if (!names.has(name)) {
        names.add(name);
        return name;
      }
    }
  };

  const mobile = () => r.pick(MOBILE_PREFIXES) + String(r.int(100_000_000)).padStart(8, '0');

  const residentId = (male: boolean) => {
    const age = 23 + r.int(36);
    const birth = dateIn(lastYear - age);
    const seq = String(r.int(100)).padStart(2, '0') + String(r.int(5) * 2 + (male ? 1 : 0));
    const first17 = division(r) + birth.replaceAll('-', '') + seq;
    return first17 + residentIdCheckChar(first17);
  };

  for (let i = 0; i < n; i++) {
    const town = towns[townOf[i]!]!;
    const kind = profileOf.get(i) ?? null;
    const spec = kind
      ? industryByCode.get(PROFILE_KIND_SPECS[kind].industry)!
      : industryPickers[townOf[i]!]!(r);
    const isC = spec.section === 'C';
    const scaleOf = kind ? profileScalePicker[kind](r) : scalePicker[isC ? 'C' : 'other'](r);
    const year = yearPicker[scaleOf](r);
    const registeredOn = dateIn(year);
    const age = lastYear - year;

    let status: EnterpriseStatus = 'operating';
    if (!kind) {
      const damp = scaleOf === 'large' ? 0.15 : scaleOf === 'medium' ? 0.4 : 1;
      const x = r.next();
      const revoked = (0.008 + 0.003 * Math.min(age, 20)) * damp;
      const cancelled = (0.03 + 0.005 * Math.min(age, 25)) * damp;
      const suspended = 0.03 * damp;
      status =
        x < revoked
          ? 'revoked'
          : x < revoked + cancelled
            ? 'cancelled'
            : x < revoked + cancelled + suspended
              ? 'suspended'
              : 'operating';
    }

    const uscc = makeCode(registeredOn);
    const allWords = kind ? PROFILE_KIND_SPECS[kind].words : spec.words;
    const current = year < 2008 ? allWords.filter((w) => !MODERN_WORDS.has(w)) : allWords;
    const words = current.length ? current : allWords;
    const name = makeName({ spec, words, scale: scaleOf, year, town: town.name });
    const legalRepresentative = personName(r.chance(0.78));

    const place = townShort(town.name);
    const road = r.pick(ROAD_NAMES);
    const no = 1 + r.int(r.chance(0.7) ? 120 : 400);
    const registeredAddress = isC
      ? `广东省东莞市${place}${r.chance(0.35) ? r.pick(INDUSTRIAL_ZONES) : ''}${road}${no}号${r.chance(0.3) ? `${1 + r.int(8)}栋` : ''}`
      : `广东省东莞市${place}${road}${no}号${r.chance(0.6) ? `${1 + r.int(30)}${String(1 + r.int(20)).padStart(2, '0')}室` : ''}`;

    const tags: string[] = [];
    if (status === 'operating' || status === 'suspended') {
      const sf = SCALE_FACTOR[scaleOf];
      if (isC || spec.code === '51') {
        const base = isC ? 0.1 * (EXPORT_DIVISIONS[spec.code] ?? 1) : 0.06;
        if (r.chance(Math.min(0.85, base * sf * (town.profile.exporter ?? 1)))) tags.push('exporter');
      }
      if (
        HIGH_TECH_DIVISIONS.has(spec.code) &&
        r.chance(Math.min(0.9, 0.06 * sf * (town.profile.highTech ?? 1)))
      )
        tags.push('highTech');
      if (isC && (scaleOf === 'large' || scaleOf === 'medium' || (scaleOf === 'small' && r.chance(0.35))))
        tags.push('aboveScale');
      const energy = ENERGY_DIVISIONS.has(spec.code) ? 1.6 : 0.8;
      const pEnergy =
        spec.section === 'D'
          ? 0.4
          : !isC
            ? 0
            : scaleOf === 'large'
              ? 0.5 * energy
              : scaleOf === 'medium'
                ? 0.06 * energy
                : scaleOf === 'small'
                  ? 0.002
                  : 0;
      if (r.chance(pEnergy)) tags.push('keyEnergyUnit');
      if (isC && r.chance((LICENSED_DIVISIONS.has(spec.code) ? 0.3 : 0.02) * (scaleOf === 'micro' ? 0.5 : 1)))
        tags.push('licensedProducer');
      const honour =
        scaleOf === 'large' ? 0.25 : scaleOf === 'medium' ? 0.05 : scaleOf === 'small' ? 0.003 : 0;
      if (isC && r.chance(honour)) tags.push('famousBrand');
      if (isC && r.chance(honour * (tags.includes('highTech') ? 2 : 1))) tags.push('standardLeader');
      tags.sort();
    }

    // What a manufacturer makes: categories of its own division (none when the catalogue has none).
    const choices = isC ? categoriesOf.get(spec.code) : undefined;
    const productCategories = choices?.length
      ? shuffle([...choices], rProducts)
          .slice(0, productCount(rProducts))
          .sort()
      : undefined;

    const id = newId();
    let profile: SeedProfile | null = null;
    if (kind) {
      const sinceYear = Math.min(lastYear, year + r.int(4));
      profile = {
        id: newId(),
        kind,
        details: profileDetails(kind, r, lastYear),
        since: dateIn(sinceYear, registeredOn),
      };
    }

    const contacts: SeedContact[] = [];
    const live = status === 'operating' || status === 'suspended';
    const roles: SeedContact['role'][] = [];
    if (live && r.chance(isC || kind ? 0.92 : 0.5)) roles.push('质量负责人');
    if (live ? r.chance(0.7) || roles.length === 0 : r.chance(0.4)) roles.push('联系人');
    for (const role of roles) {
      const male = r.chance(role === '质量负责人' ? 0.65 : 0.45);
      const phone = mobile();
      const mail = r.next();
      contacts.push({
        id: newId(),
        name: personName(male),
        role,
        phone,
        email:
          mail < 0.2 ? `${10_000 + r.int(2_000_000_000)}@qq.com` : mail < 0.32 ? `${phone}@163.com` : null,
        residentId: r.chance(role === '质量负责人' ? 0.55 : 0.25) ? residentId(male) : null,
        createdAt: new Date(createdAtMs + contacts.length).toISOString(),
      });
    }

    yield {
      id,
      input: {
        uscc,
        name,
        legalRepresentative,
        registeredAddress,
        townCode: town.code,
        industryCode: spec.code,
        registeredOn,
        status,
        scale: scaleOf,
        tags,
        ...(productCategories ? { productCategories } : {}),
      },
      profile,
      contacts,
    };
  }
}

function scaledQuotas<T extends Record<string, number>>(q: T, factor: number): T {
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Math.max(1, Math.round(v * factor))])) as T;
}

function someOf<T>(items: readonly T[], r: Rng, min: number, max: number): T[] {
  const k = min + r.int(max - min + 1);
  return shuffle([...items], r).slice(0, Math.min(k, items.length));
}

function profileDetails(kind: ProfileKind, r: Rng, lastYear: number): Record<string, unknown> {
  const p = PROFILE_DETAIL_PARTS;
  switch (kind) {
    case 'lab':
      return { fields: someOf(p.labFields, r, 1, 4), thirdParty: true };
    case 'maintenanceUnit':
      return {
        licenceNo: `TS3444${String(100 + r.int(900))}-${lastYear + 1 + r.int(4)}`,
        scope: someOf(p.liftScopes, r, 1, 3),
        technicians: 8 + r.int(60),
      };
    case 'metrologyAgency':
      return { scope: someOf(p.metrologyScopes, r, 2, 5), authorised: r.chance(0.5) };
    case 'vehicleInspectionStation':
      return { lanes: 2 + r.int(5), services: someOf(p.vehicleServices, r, 1, 3) };
    case 'instrumentManufacturer':
      return { products: someOf(p.instrumentProducts, r, 1, 3) };
  }
}

const CHANGAN = '441900119';
const SECTION_OF = new Map(INDUSTRIES.map((s) => [s.code, s.section]));

/** Keeps the first enterprise that fits each demo account, in generation order. */
export function sampleCollector() {
  const sample: SampleUscc = { enterprise: '', lab: '', maintenanceUnit: '' };
  return {
    sample,
    see(e: SeedEnterprise) {
      const v = e.input;
      if (v.status !== 'operating') return;
      const fitsEnterprise =
        !e.profile &&
        v.townCode === CHANGAN &&
        (v.scale === 'small' || v.scale === 'medium') &&
        SECTION_OF.get(v.industryCode ?? '') === 'C' &&
        e.contacts.some((c) => c.role === '质量负责人');
      if (!sample.enterprise && fitsEnterprise) sample.enterprise = v.uscc;
      if (!sample.lab && e.profile?.kind === 'lab') sample.lab = v.uscc;
      if (!sample.maintenanceUnit && e.profile?.kind === 'maintenanceUnit') sample.maintenanceUnit = v.uscc;
    },
  };
}

/** The USCCs of the demo accounts' enterprises for a seed, without touching a database. */
export function demoSampleUscc(seed = DEMO_SEED, asOf = SEED_AS_OF): SampleUscc {
  const c = sampleCollector();
  for (const e of generateEnterprises({ scale: 'demo', seed, asOf })) {
    c.see(e);
    if (c.sample.enterprise && c.sample.lab && c.sample.maintenanceUnit) break;
  }
  return c.sample;
}

// --- writing -----------------------------------------------------------------------------

export type SeedResult = {
  /** Enterprises written by this run (0 when skipped). */
  enterprises: number;
  skipped: boolean;
  asOf: string;
  sampleUscc: SampleUscc;
};

const BATCH = 2_000;
// SQLite binds at most 32,766 parameters a statement (PostgreSQL 65,535): chunk by row width.
const MAX_PARAMS = 30_000;

async function insertChunked<T extends keyof Database>(trx: Kysely<Database>, table: T, rows: Database[T][]) {
  if (rows.length === 0) return;
  const per = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length));
  for (let i = 0; i < rows.length; i += per) {
    // Kysely cannot relate a generic table's row type to its insert type; the caller's rows are typed.
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + per) as never)
      .execute();
  }
}

async function writeBatch(trx: Kysely<Database>, batch: SeedEnterprise[], createdAt: string) {
  const enterprises: Database['enterprises'][] = [];
  const tags: Database['enterprise_tags'][] = [];
  const products: Database['enterprise_products'][] = [];
  const profiles: Database['enterprise_profiles'][] = [];
  const contacts: Database['enterprise_contacts'][] = [];
  for (const e of batch) {
    const v = e.input;
    enterprises.push({
      id: e.id,
      ...inputToColumns(v),
      created_at: createdAt,
      updated_at: createdAt,
      version: 1,
    });
    for (const tag of v.tags) tags.push({ enterprise_id: e.id, tag });
    for (const code of v.productCategories ?? [])
      products.push({ enterprise_id: e.id, category_code: code, created_at: createdAt });
    if (e.profile)
      profiles.push({
        id: e.profile.id,
        enterprise_id: e.id,
        kind: e.profile.kind,
        details: json.write(e.profile.details),
        since: e.profile.since,
        created_at: createdAt,
      });
    for (const c of e.contacts)
      contacts.push({
        id: c.id,
        enterprise_id: e.id,
        name: c.name,
        role: c.role,
        phone: c.phone,
        email: c.email,
        resident_id: c.residentId,
        created_at: c.createdAt,
      });
  }
  await insertChunked(trx, 'enterprises', enterprises);
  await insertChunked(trx, 'enterprise_tags', tags);
  await insertChunked(trx, 'enterprise_products', products);
  await insertChunked(trx, 'enterprise_profiles', profiles);
  await insertChunked(trx, 'enterprise_contacts', contacts);
}

/** The sample enterprises of a register seeded earlier (the demo accounts belong to them). */
export async function existingSamples(db: Kysely<Database>): Promise<SampleUscc> {
  const withProfile = async (kind: ProfileKind) =>
    (
      await db
        .selectFrom('enterprise_profiles as p')
        .innerJoin('enterprises as e', 'e.id', 'p.enterprise_id')
        .select('e.uscc')
        .where('p.kind', '=', kind)
        .where('e.status', '=', 'operating')
        .orderBy('e.id')
        .limit(1)
        .executeTakeFirst()
    )?.uscc ?? '';
  // The same rule as sampleCollector, so a skipped run names the enterprise a fresh run would.
  const enterprise = await db
    .selectFrom('enterprises as e')
    .innerJoin('industries as i', 'i.code', 'e.industry_code')
    .select('e.uscc')
    .where('e.town_code', '=', CHANGAN)
    .where('e.status', '=', 'operating')
    .where('e.scale', 'in', ['small', 'medium'])
    .where('i.section', '=', 'C')
    .where(({ exists, not, selectFrom }) =>
      not(
        exists(
          selectFrom('enterprise_profiles as p').select('p.id').whereRef('p.enterprise_id', '=', 'e.id'),
        ),
      ),
    )
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('enterprise_contacts as c')
          .select('c.id')
          .whereRef('c.enterprise_id', '=', 'e.id')
          .where('c.role', '=', '质量负责人'),
      ),
    )
    .orderBy('e.id')
    .limit(1)
    .executeTakeFirst();
  return {
    enterprise: enterprise?.uscc ?? '',
    lab: await withProfile('lab'),
    maintenanceUnit: await withProfile('maintenanceUnit'),
  };
}

/**
 * Fills an empty register with the generated city. Skips, with a message, when enterprises
 * already exist (returning sample USCCs found in what is there), so it never duplicates.
 *
 * A bulk load by the system actor, not N creations: rows go in by multi-row inserts in one
 * transaction (all or nothing — a half-seeded city would otherwise be skipped for good on the
 * next run), with one audit row per batch of 2,000 ('enterprise.seed', after: count, first and
 * last USCC) and no per-enterprise events. Per-enterprise audit and events through
 * upsertEnterprises would triple the database at city scale (an audit row and an outbox event
 * per enterprise) and leave 200,000 events for every handler to deliver; the data is validated
 * by the same validateEnterprise, so rows are judged by the same rules.
 */
export async function seedRegistry(
  ctx: AppContext,
  opts: SeedOptions & { asOf?: string; count?: number },
): Promise<SeedResult> {
  const asOf = opts.asOf ?? seedAsOf(ctx.clock.now());
  const total = opts.count ?? SEED_SIZES[opts.scale];
  const refs = await loadReferenceLookup(ctx.db);
  const actor = systemActor('seed');
  const createdAt = seedInstant(asOf).toISOString();
  const collector = sampleCollector();
  const catalogue = (
    await ctx.db
      .selectFrom('product_categories')
      .select(['code', 'industry_code'])
      .where('active', '=', 1)
      .where('industry_code', 'is not', null)
      .orderBy('code')
      .execute()
  ).map((c) => ({ code: c.code, industryCode: c.industry_code! }));

  const written = await ctx.db.transaction().execute(async (trx) => {
    const present = await trx
      .selectFrom('enterprises')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(present.n) > 0) {
      ctx.log.warn(
        `企业库已有 ${present.n} 家企业，跳过生成数据（仅在空库上生成）/ The register already holds ${present.n} enterprises; seed skipped (it runs only on an empty register).`,
      );
      return -1;
    }
    let done = 0;
    let batch: SeedEnterprise[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await writeBatch(trx, batch, createdAt);
      await emitEvents(
        trx,
        batch.map((e) => ({
          type: 'registry.enterprise.created' as const,
          occurredAt: createdAt,
          enterpriseId: e.id,
          aggregateId: e.id,
          payload: { enterpriseId: e.id, uscc: e.input.uscc, name: e.input.name, source: 'seed' },
        })),
        ctx.clock.now(),
      );
      await writeAudit(trx, {
        actor,
        action: 'enterprise.seed',
        resourceType: 'enterprise',
        resourceId: null,
        after: {
          count: batch.length,
          firstUscc: batch[0]!.input.uscc,
          lastUscc: batch[batch.length - 1]!.input.uscc,
          productLinks: batch.reduce((n, e) => n + (e.input.productCategories?.length ?? 0), 0),
          scale: opts.scale,
          seed: opts.seed,
          asOf,
        },
        at: ctx.clock.now(),
      });
      done += batch.length;
      batch = [];
      opts.onProgress?.(done, total);
    };
    const plan = { scale: opts.scale, seed: opts.seed, asOf, count: opts.count, catalogue };
    for (const e of generateEnterprises(plan)) {
      const checked = validateEnterprise(e.input, refs, asOf);
      if (!checked.ok)
        throw new Error(`Generated enterprise ${e.input.uscc} is invalid: ${JSON.stringify(checked.errors)}`);
      collector.see(e);
      batch.push({ ...e, input: checked.value });
      if (batch.length === BATCH) await flush();
    }
    await flush();
    return done;
  });

  if (written < 0) return { enterprises: 0, skipped: true, asOf, sampleUscc: await existingSamples(ctx.db) };
  await refreshStatistics(ctx.db, ctx.dialect);
  ctx.log.info({ scale: opts.scale, seed: opts.seed, asOf, enterprises: written }, 'registry seeded');
  return { enterprises: written, skipped: false, asOf, sampleUscc: collector.sample };
}
