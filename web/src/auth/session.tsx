/**
 * The signed-in user: loaded once from `/api/auth/me`, replaced by the login response, cleared on
 * logout or when any request answers 401. A session whose password must be changed first
 * (published or common password, `passwordChangeRequired`) is not a session for the app: it is
 * held apart in `pendingPasswordChange`, so every guard sends the user to the login page, which
 * shows the change-password form.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo } from 'react';
import { ApiError, api, onUnauthorized, request, setCsrfToken } from '../api/client';
import type { Session } from '../api/types';

export const SESSION_KEY = ['session'] as const;

/** The session as the API sends it. */
export type ApiSession = Session & { passwordChangeRequired?: boolean };

interface SessionContextValue {
  session: Session | null;
  /** Signed in, but the password must be changed before anything else. */
  pendingPasswordChange: ApiSession | null;
  changePassword: (currentPassword: string, newPassword: string) => Promise<Session>;
  loading: boolean;
  can: (ability: string) => boolean;
  login: (username: string, password: string) => Promise<ApiSession>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

async function fetchSession(): Promise<ApiSession | null> {
  try {
    const s = await request<ApiSession>('/api/auth/me', { skipAuthRedirect: true });
    setCsrfToken(s.csrfToken);
    return s;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      setCsrfToken(null);
      return null;
    }
    throw e;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const query = useQuery({
    queryKey: SESSION_KEY,
    queryFn: fetchSession,
    staleTime: 5 * 60_000,
    retry: 1,
    meta: { silent: true },
  });

  useEffect(
    () =>
      onUnauthorized(() => {
        setCsrfToken(null);
        if (qc.getQueryData(SESSION_KEY)) qc.setQueryData(SESSION_KEY, null);
      }),
    [qc],
  );

  const login = useCallback(
    async (username: string, password: string) => {
      const s = await request<ApiSession>('/api/auth/login', {
        method: 'POST',
        body: { username, password },
        skipAuthRedirect: true,
      });
      setCsrfToken(s.csrfToken);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
      qc.setQueryData(SESSION_KEY, s);
      return s;
    },
    [qc],
  );

  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } finally {
      setCsrfToken(null);
      qc.setQueryData(SESSION_KEY, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    }
  }, [qc]);

  const changePassword = useCallback(
    async (currentPassword: string, newPassword: string) => {
      await api.post('/api/auth/password', { currentPassword, newPassword });
      const s = await fetchSession();
      qc.setQueryData(SESSION_KEY, s);
      if (!s) throw new Error('session lost');
      return s;
    },
    [qc],
  );

  const data = query.data ?? null;
  const pendingPasswordChange = data?.passwordChangeRequired ? data : null;
  const session = pendingPasswordChange ? null : data;
  const value = useMemo<SessionContextValue>(
    () => ({
      session,
      pendingPasswordChange,
      changePassword,
      loading: query.isPending,
      can: (ability) => !!session?.abilities.includes(ability),
      login,
      logout,
    }),
    [session, pendingPasswordChange, changePassword, query.isPending, login, logout],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}
