import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUSAntd from 'antd/locale/en_US';
import zhCNAntd from 'antd/locale/zh_CN';
import { Fragment, lazy, type ReactNode, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Outlet, Route, Routes } from 'react-router';
import { isApiError, registerNotifier, showApiError } from '../api/client';
import { SessionProvider } from '../auth/session';
import AppLayout from './AppLayout';
import { FullPageSpin, NotFound, RequireAuth } from './Guards';
import { WEB_MODULES } from './modules';
import { theme } from './theme';

const LoginPage = lazy(() => import('../auth/LoginPage'));
const PortalLayout = lazy(() => import('../portal/PortalLayout'));
const PortalSearchPage = lazy(() => import('../portal/PortalSearchPage'));
const PortalEnterprisePage = lazy(() => import('../portal/PortalEnterprisePage'));
const PortalBlacklistPage = lazy(() => import('../portal/PortalBlacklistPage'));
const PortalReportVerifyPage = lazy(() => import('../portal/PortalReportVerifyPage'));
const PortalSamplingBulletinsPage = lazy(() => import('../portal/PortalSamplingBulletinsPage'));
const PortalSamplingBulletinPage = lazy(() => import('../portal/PortalSamplingBulletinPage'));

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
          <Route path="sampling" element={<PortalSamplingBulletinsPage />} />
          <Route path="sampling/:planId" element={<PortalSamplingBulletinPage />} />
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
            {WEB_MODULES.map((m) => (
              <Fragment key={m.menu.key}>{m.routes}</Fragment>
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
