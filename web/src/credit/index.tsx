/** 质量信用: the overview, archives, objections, the blacklist and the rule-set editor (credit-rules). */
import { SafetyCertificateOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import { Navigate, Route } from 'react-router';
import { RequireAbility } from '../app/Guards';
import type { WebModule } from '../app/webModule';
import { useSession } from '../auth/session';

const CreditOverviewPage = lazy(() => import('./CreditOverviewPage'));
const CreditEnterprisePage = lazy(() => import('./CreditEnterprisePage'));
const MyCreditPage = lazy(() => import('./MyCreditPage'));
const ObjectionsPage = lazy(() => import('./ObjectionsPage'));
const BlacklistPage = lazy(() => import('./BlacklistPage'));
const SupervisionDrawPage = lazy(() => import('./SupervisionDrawPage'));
const RuleSetsPage = lazy(() => import('../credit-rules/RuleSetsPage'));
const RuleSetEditorPage = lazy(() => import('../credit-rules/RuleSetEditorPage'));

/**
 * /credit opens the overview for those who may read statistics, an enterprise user's own credit
 * file, otherwise the objection list.
 */
function CreditIndex() {
  const { can } = useSession();
  return (
    <Navigate to={can('stats.read') ? 'overview' : can('credit.object') ? 'mine' : 'objections'} replace />
  );
}

export const creditModule: WebModule = {
  menu: {
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
        key: 'creditSupervisionDraw',
        path: '/credit/supervision/draw',
        labelKey: 'credit.nav.draw',
        ability: 'credit.review',
      },
      {
        key: 'creditRuleSets',
        path: '/credit/rule-sets',
        labelKey: 'credit.nav.ruleSets',
        ability: 'credit.rules',
      },
    ],
  },
  routes: (
    <Route path="credit">
      <Route index element={<CreditIndex />} />
      <Route
        path="overview"
        element={
          <RequireAbility ability="stats.read">
            <CreditOverviewPage />
          </RequireAbility>
        }
      />
      <Route
        path="supervision/draw"
        element={
          <RequireAbility ability="credit.review">
            <SupervisionDrawPage />
          </RequireAbility>
        }
      />
      <Route
        path="mine"
        element={
          <RequireAbility ability="credit.object">
            <MyCreditPage />
          </RequireAbility>
        }
      />
      <Route
        path="enterprises/:uscc"
        element={
          <RequireAbility ability="credit.read">
            <CreditEnterprisePage />
          </RequireAbility>
        }
      />
      <Route
        path="objections"
        element={
          <RequireAbility ability="credit.read">
            <ObjectionsPage />
          </RequireAbility>
        }
      />
      <Route
        path="blacklist"
        element={
          <RequireAbility ability="credit.read">
            <BlacklistPage />
          </RequireAbility>
        }
      />
      <Route
        path="rule-sets"
        element={
          <RequireAbility ability="credit.rules">
            <RuleSetsPage />
          </RequireAbility>
        }
      />
      <Route
        path="rule-sets/:id/:version"
        element={
          <RequireAbility ability="credit.rules">
            <RuleSetEditorPage />
          </RequireAbility>
        }
      />
    </Route>
  ),
};
