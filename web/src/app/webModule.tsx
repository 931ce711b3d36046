/**
 * What a module of the web app contributes: its entry of the side menu and its routes inside the
 * signed-in layout. Each built module's folder exports one `WebModule` from its `index.tsx`
 * (e.g. `samplingModule` in `src/sampling/index.tsx`); `modules.ts` lists them in menu order, so a
 * new module adds one line there and edits no central switch.
 */
import type { ComponentType, ReactElement } from 'react';
import { Route } from 'react-router';
import BuildingPage from './BuildingPage';

export interface MenuLeaf {
  key: string;
  path: string;
  labelKey: string;
  ability?: string;
}

/**
 * A module's menu entry. A built module is `'ready'`; one still being built stays `'building'` and
 * shows greyed with "建设中". Labels are i18n keys; `ability` hides an entry from users who lack it.
 */
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

export interface WebModule {
  menu: ModuleDef;
  /**
   * `<Route>` elements (a fragment of them for several top-level paths) mounted inside the
   * authenticated layout; paths are relative to `/`. Pages are lazy imports.
   */
  routes: ReactElement;
}

/** A module listed in the menu but not built yet: greyed "建设中", its paths show the placeholder. */
export function buildingModule(key: string, icon: ComponentType): WebModule {
  const labelKey = `nav.${key}`;
  return {
    menu: { key, labelKey, icon, status: 'building', path: `/${key}` },
    routes: <Route path={`${key}/*`} element={<BuildingPage labelKey={labelKey} />} />,
  };
}
