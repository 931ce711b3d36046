import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUSAntd from 'antd/locale/en_US';
import zhCNAntd from 'antd/locale/zh_CN';
import { lazy, type ReactNode, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Outlet, Route, Routes } from 'react-router';
import { isApiError, registerNotifier, showApiError } from '../api/client';
import { SessionProvider, useSession } from '../auth/session';
import AppLayout from './AppLayout';
import BuildingPage from './BuildingPage';
import { FullPageSpin, NotFound, RequireAbility, RequireAuth } from './Guards';
import { BUILDING_MODULES } from './modules';
import { theme } from './theme';

const LoginPage = lazy(() => import('../auth/LoginPage'));
const HomePage = lazy(() => import('../home/HomePage'));
const EnterpriseListPage = lazy(() => import('../registry/EnterpriseListPage'));
const EnterprisePage = lazy(() => import('../registry/EnterprisePage'));
const ImportPage = lazy(() => import('../registry/ImportPage'));
const UsersPage = lazy(() => import('../admin/UsersPage'));
const ProductCategoriesPage = lazy(() => import('../admin/ProductCategoriesPage'));
const PortalLayout = lazy(() => import('../portal/PortalLayout'));
const PortalSearchPage = lazy(() => import('../portal/PortalSearchPage'));
const PortalEnterprisePage = lazy(() => import('../portal/PortalEnterprisePage'));
const PortalBlacklistPage = lazy(() => import('../portal/PortalBlacklistPage'));
const PortalReportVerifyPage = lazy(() => import('../portal/PortalReportVerifyPage'));
const CreditOverviewPage = lazy(() => import('../credit/CreditOverviewPage'));
const CreditEnterprisePage = lazy(() => import('../credit/CreditEnterprisePage'));
const MyCreditPage = lazy(() => import('../credit/MyCreditPage'));
const ObjectionsPage = lazy(() => import('../credit/ObjectionsPage'));
const BlacklistPage = lazy(() => import('../credit/BlacklistPage'));
const RuleSetsPage = lazy(() => import('../credit-rules/RuleSetsPage'));
const RuleSetEditorPage = lazy(() => import('../credit-rules/RuleSetEditorPage'));

export const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (err, query) => {
      if (query.meta?.silent) return;
      if (isApiError(err) && err.status === 401) return; // the session layer redirects
      showApiError(err);
    },
  }),
  mutationCache: new MutationCache({
    onError: (err, _vars, _ctx, mutation) => {
      // Mutations that handle their own errors (forms with field errors) set meta.silent.
      if (mutation.meta?.silent) return;
      showApiError(err);
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: (count, err) => {
        if (isApiError(err) && err.status >= 400 && err.status < 500) return false;
        return count < 2;
      },
    },
  },
});

/** Hands antd's context-aware message/notification to the API client. */
function NotifierBridge({ children }: { children: ReactNode }) {
  const { message, notification } = AntApp.useApp();
  useEffect(() => registerNotifier(message, notification), [message, notification]);
  return <>{children}</>;
}

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

/**
 * The signed-in user is asked for (`/api/auth/me`) only under this route: the public portal never
 * asks, so an anonymous visitor's console shows no 401.
 */
function WithSession() {
  return (
    <SessionProvider>
      <Outlet />
    </SessionProvider>
  );
}

function AppRoutes() {
  return (
    <Suspense fallback={<FullPageSpin />}>
      <Routes>
        <Route path="/portal" element={<PortalLayout />}>
          <Route index element={<PortalSearchPage />} />
          <Route path="enterprises/:uscc" element={<PortalEnterprisePage />} />
          <Route path="blacklist" element={<PortalBlacklistPage />} />
          <Route path="credit-reports/:id" element={<PortalReportVerifyPage />} />
        </Route>
        <Route element={<WithSession />}>
          <Route path="/login" element={<LoginPage />} />
          <Route
            element={
              <RequireAuth>
                <AppLayout />
              </RequireAuth>
            }
          >
            <Route index element={<HomePage />} />
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
            {BUILDING_MODULES.map((m) => (
              <Route
                key={m.key}
                path={`${m.path!.slice(1)}/*`}
                element={<BuildingPage labelKey={m.labelKey} />}
              />
            ))}
          </Route>
        </Route>
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}

export default function App() {
  const { i18n } = useTranslation();
  const antdLocale = i18n.language === 'en-US' ? enUSAntd : zhCNAntd;
  return (
    <ConfigProvider locale={antdLocale} theme={theme}>
      <AntApp>
        <NotifierBridge>
          <QueryClientProvider client={queryClient}>
            <BrowserRouter>
              <AppRoutes />
            </BrowserRouter>
          </QueryClientProvider>
        </NotifierBridge>
      </AntApp>
    </ConfigProvider>
  );
}
