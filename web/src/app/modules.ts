/**
 * The modules of the web app, in menu order: the one list a new module adds a line to. Each built
 * module's folder exports its menu entry and routes (`src/<module>/index.tsx`, see webModule.tsx);
 * one still being built is a `buildingModule(key, icon)` line until its folder exists.
 */
import {
  DashboardOutlined,
  ExperimentOutlined,
  FileProtectOutlined,
  FundOutlined,
  StarOutlined,
  ToolOutlined,
} from '@ant-design/icons';
import { adminModule } from '../admin';
import { creditModule } from '../credit';
import { homeModule } from '../home';
import { registryModule } from '../registry';
import { samplingModule } from '../sampling';
import { buildingModule, type ModuleDef, type WebModule } from './webModule';

export type { MenuLeaf, ModuleDef, WebModule } from './webModule';

export const WEB_MODULES: WebModule[] = [
  homeModule,
  registryModule,
  samplingModule,
  buildingModule('equipment', ToolOutlined),
  buildingModule('metrology', DashboardOutlined),
  buildingModule('testing', ExperimentOutlined),
  buildingModule('recognition', StarOutlined),
  buildingModule('licensing', FileProtectOutlined),
  creditModule,
  buildingModule('evaluation', FundOutlined),
  adminModule,
];

/** The side menu, as data. */
export const MODULES: ModuleDef[] = WEB_MODULES.map((m) => m.menu);

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
