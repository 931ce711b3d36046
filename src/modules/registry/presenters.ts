// Presenters are the only way enterprise data leaves the API. Each whitelists its fields;
// the public ones have no access to contacts at all.
import { type Static, Type } from 'typebox';
import { json } from '../../db/codecs.js';
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

export const EnterpriseSchema = Type.Object({
  ...EnterpriseSummarySchema.properties,
  registeredAddress: Nullable(Type.String()),
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
