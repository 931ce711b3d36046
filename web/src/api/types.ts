/** Shapes of the Zhihui HTTP API as the web client uses them. */

export type Role = 'admin' | 'regulator' | 'townOfficer' | 'enterprise' | 'lab' | 'maintenanceUnit';

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  townCode: string | null;
  enterpriseId: string | null;
}

export interface Session {
  user: User;
  abilities: string[];
  csrfToken: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListOf<T> {
  items: T[];
}

export type TownKind = 'subdistrict' | 'town' | 'area';

export interface Town {
  code: string;
  name: string;
  nameEn: string;
  kind: TownKind;
}

export interface Industry {
  code: string;
  level: 'section' | 'division';
  section: string;
  name: string;
  nameEn: string;
}

export type EnterpriseStatus = 'operating' | 'suspended' | 'cancelled' | 'revoked';
export type EnterpriseScale = 'large' | 'medium' | 'small' | 'micro';

export interface EnterpriseSummary {
  id: string;
  uscc: string;
  name: string;
  legalRepresentative: string | null;
  townCode: string;
  townName: string | null;
  industryCode: string | null;
  industryName: string | null;
  /** YYYY-MM-DD */
  registeredOn: string | null;
  status: EnterpriseStatus;
  scale: EnterpriseScale | null;
  tags: string[];
}

export type ProfileKind =
  | 'lab'
  | 'maintenanceUnit'
  | 'metrologyAgency'
  | 'vehicleInspectionStation'
  | 'instrumentManufacturer';

export interface EnterpriseProfile {
  kind: ProfileKind;
  details: Record<string, unknown>;
  since: string | null;
}

export interface Contact {
  id: string;
  name: string;
  role: string | null;
  phone: string | null;
  email: string | null;
}

export interface Enterprise extends EnterpriseSummary {
  registeredAddress: string | null;
  profiles: EnterpriseProfile[];
  contacts: Contact[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type EnterprisePatch = Partial<
  Pick<
    Enterprise,
    | 'name'
    | 'legalRepresentative'
    | 'registeredAddress'
    | 'townCode'
    | 'industryCode'
    | 'registeredOn'
    | 'status'
    | 'scale'
    | 'tags'
  >
> & { version: number };

export interface HistoryEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  changes: Array<{ field: string; before: unknown; after: unknown }>;
}

export interface TimelineEntry {
  id: string;
  at: string;
  type: string;
  title: string;
  summary: string;
}

export interface CountItem {
  code: string;
  name: string;
  count: number;
}

export interface StatsOverview {
  total: number;
  byStatus: Partial<Record<EnterpriseStatus, number>>;
  byScale: Partial<Record<EnterpriseScale, number>>;
  byTown: CountItem[];
  bySection: CountItem[];
}

export interface ImportRejection {
  row: number;
  column: string | null;
  code: string;
  message: string;
}

export interface ImportReport {
  total: number;
  imported: number;
  updated: number;
  unchanged: number;
  rejected: ImportRejection[];
  dryRun: boolean;
}

export interface ManagedUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  townCode: string | null;
  enterpriseId: string | null;
  active: boolean;
  lastLoginAt: string | null;
  /** Sent by the server alongside enterpriseId (not in the original contract). */
  enterpriseUscc?: string | null;
  enterpriseName?: string | null;
  lockedUntil?: string | null;
}

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  townCode?: string | null;
  enterpriseUscc?: string | null;
}

export interface UserPatch {
  displayName?: string;
  active?: boolean;
  password?: string;
  role?: Role;
  townCode?: string | null;
}

export interface PublicEnterpriseSummary {
  uscc: string;
  name: string;
  legalRepresentative: string | null;
  townName: string | null;
  industryName: string | null;
  registeredOn: string | null;
  status: EnterpriseStatus;
}

export interface PublicEnterprise extends PublicEnterpriseSummary {
  registeredAddress: string | null;
  updatedAt: string;
}

/** Filters of the enterprise list, as they appear in the URL and in the API query string. */
export interface EnterpriseFilters {
  q?: string;
  town?: string;
  industry?: string;
  status?: string;
  scale?: string;
  tag?: string;
}

/** An entry of the product category catalogue (产品类别目录), a tree by `parentCode`. */
export interface ProductCategory {
  id: string;
  code: string;
  name: string;
  nameEn: string;
  parentCode: string | null;
  industryCode: string | null;
  active: boolean;
  updatedAt: string;
}

export interface NewProductCategory {
  code: string;
  name: string;
  nameEn?: string;
  parentCode?: string | null;
  industryCode?: string | null;
  active?: boolean;
}

export type ProductCategoryPatch = Partial<Omit<NewProductCategory, 'code'>>;
