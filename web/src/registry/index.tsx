/** 市场主体: the enterprise register (list, detail) and the import wizard. */
import { BankOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import { Navigate, Route } from 'react-router';
import { RequireAbility } from '../app/Guards';
import type { WebModule } from '../app/webModule';

const EnterpriseListPage = lazy(() => import('./EnterpriseListPage'));
const EnterprisePage = lazy(() => import('./EnterprisePage'));
const ImportPage = lazy(() => import('./ImportPage'));

export const registryModule: WebModule = {
  menu: {
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
  routes: (
    <Route path="registry">
      <Route index element={<Navigate to="enterprises" replace />} />
      <Route
        path="enterprises"
        element={
          <RequireAbility ability="enterprise.read">
            <EnterpriseListPage />
          </RequireAbility>
        }
      />
      <Route path="enterprises/:uscc" element={<EnterprisePage />} />
      <Route
        path="import"
        element={
          <RequireAbility ability="enterprise.import">
            <ImportPage />
          </RequireAbility>
        }
      />
    </Route>
  ),
};
