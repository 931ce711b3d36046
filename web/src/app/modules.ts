/**
 * The side menu, as data. A module that is built gets `status: 'ready'` and its routes in
 * `routes.tsx`; one still being built stays `'building'` and shows greyed with "建设中".
 * Labels are i18n keys; `ability` hides an entry from users who lack it.
 */
import {
  AuditOutlined,
  BankOutlined,
  DashboardOutlined,
  ExperimentOutlined,
  FileProtectOutlined,
  FundOutlined,
  HomeOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  StarOutlined,
  ToolOutlined,
} from '@ant-design/icons';
import type { ComponentType } from 'react';

export interface MenuLeaf {
  key: string;
  path: string;
  labelKey: string;
  ability?: string;
}

export interface ModuleDef {
  key: string;
  labelKey: string;
  icon: ComponentType;
  status: 'ready' | 'building';
  /** Single-page modules have a path; modules with several pages have children. */
  path?: string;
  ability?: string;
  children?: MenuLeaf[];
}

export const MODULES: ModuleDef[] = [
  { key: 'home', labelKey: 'nav.home', icon: HomeOutlined, status: 'ready', path: '/' },
  {
    key: 'registry',
    labelKey: 'nav.registry',
    icon: BankOutlined,
    status: 'ready',
    children: [
      {
        key: 'enterprises',
        path: '/registry/enterprises',
        labelKey: 'nav.enterprises',
        ability: 'enterprise.read',
      },
      { key: 'import', path: '/registry/import', labelKey: 'nav.import', ability: 'enterprise.import' },
    ],
  },
  { key: 'sampling', labelKey: 'nav.sampling', icon: AuditOutlined, status: 'building', path: '/sampling' },
  { key: 'equipment', labelKey: 'nav.equipment', icon: ToolOutlined, status: 'building', path: '/equipment' },
  {
    key: 'metrology',
    labelKey: 'nav.metrology',
    icon: DashboardOutlined,
    status: 'building',
    path: '/metrology',
  },
  { key: 'testing', labelKey: 'nav.testing', icon: ExperimentOutlined, status: 'building', path: '/testing' },
  {
    key: 'recognition',
    labelKey: 'nav.recognition',
    icon: StarOutlined,
    status: 'building',
    path: '/recognition',
  },
  {
    key: 'licensing',
    labelKey: 'nav.licensing',
    icon: FileProtectOutlined,
    status: 'building',
    path: '/licensing',
  },
  {
    key: 'credit',
    labelKey: 'nav.credit',
    icon: SafetyCertificateOutlined,
    status: 'ready',
    children: [
      {
        key: 'creditOverview',
        path: '/credit/overview',
        labelKey: 'credit.nav.overview',
        ability: 'stats.read',
      },
      {
        key: 'creditMine',
        path: '/credit/mine',
        labelKey: 'credit.nav.mine',
        ability: 'credit.object',
      },
      {
        key: 'creditObjections',
        path: '/credit/objections',
        labelKey: 'credit.nav.objections',
        ability: 'credit.read',
      },
      {
        key: 'creditBlacklist',
        path: '/credit/blacklist',
        labelKey: 'credit.nav.blacklist',
        ability: 'credit.read',
      },
      {
        key: 'creditRuleSets',
        path: '/credit/rule-sets',
        labelKey: 'credit.nav.ruleSets',
        ability: 'credit.rules',
      },
    ],
  },
  {
    key: 'evaluation',
    labelKey: 'nav.evaluation',
    icon: FundOutlined,
    status: 'building',
    path: '/evaluation',
  },
  {
    key: 'admin',
    labelKey: 'nav.admin',
    icon: SettingOutlined,
    status: 'ready',
    // No module-level ability: the group shows when the user may open at least one child.
    children: [
      { key: 'users', path: '/admin/users', labelKey: 'nav.users', ability: 'user.manage' },
      {
        key: 'productCategories',
        path: '/admin/product-categories',
        labelKey: 'nav.productCategories',
        ability: 'reference.manage',
      },
    ],
  },
];

/** Modules still under construction, for their placeholder routes. */
export const BUILDING_MODULES = MODULES.filter((m) => m.status === 'building' && m.path);

/** The menu key whose path is the longest prefix of `pathname`. */
export function selectedMenuKey(pathname: string): { key: string; parent?: string } | null {
  let best: { key: string; parent?: string; len: number } | null = null;
  const consider = (key: string, path: string, parent?: string) => {
    const match = path === '/' ? pathname === '/' : pathname === path || pathname.startsWith(`${path}/`);
    if (match && (!best || path.length > best.len)) best = { key, parent, len: path.length };
  };
  for (const m of MODULES) {
    if (m.path) consider(m.key, m.path);
    for (const c of m.children ?? []) consider(c.key, c.path, m.key);
  }
  const found = best as { key: string; parent?: string; len: number } | null;
  return found ? { key: found.key, parent: found.parent } : null;
}
