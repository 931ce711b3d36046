// Presenters are the only way enterprise data leaves the API. Each whitelists its fields;
// the public ones have no access to contacts at all.
import { type Static, Type } from 'typebox';
import type { Message } from '../../core/errors.js';
import { json } from '../../db/codecs.js';
import { EVENT_CATALOGUE } from '../../platform/events/catalogue.js';
import type { StoredEvent } from '../../platform/events/outbox.js';
import {
  type EnterpriseInput,
  type EnterpriseStatus,
  FIELD_LABELS,
  ownValue,
  STATUS_LABELS,
} from './enterprise-input.js';
import type { EnterpriseDetail, EnterpriseListItem } from './enterprises.js';
import { maskPhone } from './resident-id.js';
import { Nullable } from './schemas.js';

export const EnterpriseSummarySchema = Type.Object({
  id: Type.String(),
  uscc: Type.String(),
  name: Type.String(),
  legalRepresentative: Nullable(Type.String()),
  townCode: Type.String(),
  townName: Nullable(Type.String()),
  industryCode: Nullable(Type.String()),
  industryName: Nullable(Type.String()),
  registeredOn: Nullable(Type.String()),
  status: Type.String(),
  scale: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
});

/** A product category an enterprise makes, with its catalogue names (retired ones flagged). */
export const EnterpriseProductCategorySchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  active: Type.Boolean(),
});

export const EnterpriseSchema = Type.Object({
  ...EnterpriseSummarySchema.properties,
  registeredAddress: Nullable(Type.String()),
  /** 生产的产品类别, in code order. */
  productCategories: Type.Array(EnterpriseProductCategorySchema),
  profiles: Type.Array(
    Type.Object({
      kind: Type.String(),
      details: Type.Record(Type.String(), Type.Unknown()),
      since: Nullable(Type.String()),
    }),
  ),
  contacts: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      role: Nullable(Type.String()),
      phone: Nullable(Type.String()),
      email: Nullable(Type.String()),
    }),
  ),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  version: Type.Integer(),
});

export const PublicEnterpriseSchema = Type.Object({
  uscc: Type.String(),
  name: Type.String(),
  legalRepresentative: Nullable(Type.String()),
  townName: Nullable(Type.String()),
  industryName: Nullable(Type.String()),
  registeredOn: Nullable(Type.String()),
  status: Type.String(),
});

export const PublicEnterpriseDetailSchema = Type.Object({
  ...PublicEnterpriseSchema.properties,
  registeredAddress: Nullable(Type.String()),
  updatedAt: Type.String(),
});

export function presentEnterpriseSummary(r: EnterpriseListItem): Static<typeof EnterpriseSummarySchema> {
  return {
    id: r.id,
    uscc: r.uscc,
    name: r.name,
    legalRepresentative: r.legal_representative,
    townCode: r.town_code,
    townName: r.town_name,
    industryCode: r.industry_code,
    industryName: r.industry_name,
    registeredOn: r.registered_on,
    status: r.status,
    scale: r.scale,
    tags: json.read<string[]>(r.tags, []),
  };
}

const maskEmail = (e: string) => e.replace(/^(.)[^@]*(@.*)$/, '$1***$2');
const maskName = (n: string) => (n.length <= 1 ? n : `${n[0]}${'*'.repeat(n.length - 1)}`);

/** `showPersonal`: the viewer may see contacts unmasked (policy enterprise.readPersonal). */
export function presentEnterprise(
  e: EnterpriseDetail,
  showPersonal: boolean,
): Static<typeof EnterpriseSchema> {
  return {
    ...presentEnterpriseSummary(e),
    registeredAddress: e.registered_address,
    productCategories: e.productCategories.map((c) => ({
      code: c.code,
      name: c.name,
      nameEn: c.nameEn,
      active: c.active,
    })),
    profiles: e.profiles.map((p) => ({ kind: p.kind, details: json.read(p.details, {}), since: p.since })),
    // The resident ID is never presented, masked or not: nothing in the UI needs it.
    contacts: e.contacts.map((c) => ({
      id: c.id,
      name: showPersonal ? c.name : maskName(c.name),
      role: c.role,
      phone: c.phone ? (showPersonal ? c.phone : maskPhone(c.phone)) : null,
      email: c.email ? (showPersonal ? c.email : maskEmail(c.email)) : null,
    })),
    createdAt: e.created_at,
    updatedAt: e.updated_at,
    version: e.version,
  };
}

export function presentPublicEnterprise(r: EnterpriseListItem): Static<typeof PublicEnterpriseSchema> {
  return {
    uscc: r.uscc,
    name: r.name,
    legalRepresentative: r.legal_representative,
    townName: r.town_name,
    industryName: r.industry_name,
    registeredOn: r.registered_on,
    status: r.status,
  };
}

export function presentPublicEnterpriseDetail(
  e: EnterpriseDetail,
): Static<typeof PublicEnterpriseDetailSchema> {
  return { ...presentPublicEnterprise(e), registeredAddress: e.registered_address, updatedAt: e.updated_at };
}

// --- the supervision timeline: one entry per outbox event, its words in both languages.

const Text = Type.Object({ zh: Type.String(), en: Type.String() });

export const TimelineEntrySchema = Type.Object({
  id: Type.String(),
  at: Type.String(),
  type: Type.String(),
  titleText: Text,
  /** What changed (fields, or the status from → to), when the event says. */
  changes: Nullable(Text),
  /** Where the fact came from (online registration, import, the bureau's entry and its document…). */
  source: Nullable(Text),
  /** Kept for older clients: the Chinese title. */
  title: Type.String({ deprecated: true }),
  /** Kept for older clients: the Chinese changes, or "来源：<source>". */
  summary: Type.String({ deprecated: true }),
});

const m = (zh: string, en: string): Message => ({ zh, en });

const REGISTRY_SOURCES: Record<string, Message> = {
  api: m('在线登记', 'Online registration'),
  import: m('批量导入', 'Bulk import'),
  seed: m('初始数据', 'Initial data'),
};

const FIELD_LABELS_EN: Record<keyof EnterpriseInput, string> = {
  uscc: 'USCC',
  name: 'name',
  legalRepresentative: 'legal representative',
  registeredAddress: 'registered address',
  townCode: 'town',
  industryCode: 'industry',
  registeredOn: 'registration date',
  status: 'status',
  scale: 'scale',
  tags: 'tags',
  productCategories: 'product categories',
};

const STATUS_LABELS_EN: Record<EnterpriseStatus, string> = {
  operating: 'Operating',
  suspended: 'Suspended',
  cancelled: 'Cancelled',
  revoked: 'Revoked',
};

const isText = (v: unknown): v is Message =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Message).zh === 'string' &&
  typeof (v as Message).en === 'string';

/**
 * An event's source in both languages: a registry code, a two-language source, or the producing
 * module's own `source` + `sourceEn` (each module words its sources; the registry never parses
 * them). A source with no English is shown as written.
 */
function sourceOf(p: Record<string, unknown>): Message | null {
  const s = p.source;
  if (isText(s)) return s;
  if (typeof s !== 'string' || s.trim() === '') return null;
  const registry = ownValue(REGISTRY_SOURCES, s);
  if (registry) return registry;
  return m(s, typeof p.sourceEn === 'string' && p.sourceEn ? p.sourceEn : s);
}

function changesOf(p: Record<string, unknown>): Message | null {
  if (Array.isArray(p.fields)) {
    const fields = p.fields.map(String);
    return m(
      `变更字段：${fields.map((f) => ownValue(FIELD_LABELS, f) ?? f).join('、')}`,
      `Changed: ${fields.map((f) => ownValue(FIELD_LABELS_EN, f) ?? f).join(', ')}`,
    );
  }
  if (p.from) {
    const zh = (v: unknown) => ownValue(STATUS_LABELS, String(v)) ?? String(v);
    const en = (v: unknown) => ownValue(STATUS_LABELS_EN, String(v)) ?? String(v);
    return m(`${zh(p.from)} → ${zh(p.to)}`, `${en(p.from)} → ${en(p.to)}`);
  }
  return null;
}

export function presentTimelineEntry(ev: StoredEvent): Static<typeof TimelineEntrySchema> {
  const p = (ev.payload ?? {}) as Record<string, unknown>;
  const titleText = ownValue(EVENT_CATALOGUE, ev.type)?.description ?? m(ev.type, ev.type);
  const changes = changesOf(p);
  const source = sourceOf(p);
  return {
    id: ev.id,
    at: ev.occurredAt,
    type: ev.type,
    titleText: { zh: titleText.zh, en: titleText.en },
    changes,
    source,
    title: titleText.zh,
    summary: changes?.zh ?? `来源：${source?.zh ?? ''}`,
  };
}
