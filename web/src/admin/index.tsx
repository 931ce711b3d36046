/** 系统管理: users, the product-category catalogue and the audit trail. */
import { SettingOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import { Route } from 'react-router';
import { RequireAbility } from '../app/Guards';
import type { WebModule } from '../app/webModule';

const UsersPage = lazy(() => import('./UsersPage'));
const ProductCategoriesPage = lazy(() => import('./ProductCategoriesPage'));
const AuditPage = lazy(() => import('./AuditPage'));

export const adminModule: WebModule = {
  menu: {
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
      // A regulator may read the audit trail but manage neither users nor the catalogue: this alone.
      { key: 'audit', path: '/admin/audit', labelKey: 'audit.nav', ability: 'audit.read' },
    ],
  },
  routes: (
    <>
      <Route
        path="admin/users"
        element={
          <RequireAbility ability="user.manage">
            <UsersPage />
          </RequireAbility>
        }
      />
      <Route
        path="admin/product-categories"
        element={
          <RequireAbility ability="reference.read">
            <ProductCategoriesPage />
          </RequireAbility>
        }
      />
      <Route
        path="admin/audit"
        element={
          <RequireAbility ability="audit.read">
            <AuditPage />
          </RequireAbility>
        }
      />
    </>
  ),
};
