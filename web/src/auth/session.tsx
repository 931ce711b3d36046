/**
 * The signed-in user: loaded once from `/api/auth/me`, replaced by the login response, cleared on
 * logout or when any request answers 401.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo } from 'react';
import { ApiError, api, onUnauthorized, request, setCsrfToken } from '../api/client';
import type { Session } from '../api/types';

export const SESSION_KEY = ['session'] as const;

interface SessionContextValue {
  session: Session | null;
  loading: boolean;
  can: (ability: string) => boolean;
  login: (username: string, password: string) => Promise<Session>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

async function fetchSession(): Promise<Session | null> {
  try {
    const s = await request<Session>('/api/auth/me', { skipAuthRedirect: true });
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
      const s = await request<Session>('/api/auth/login', {
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

  const session = query.data ?? null;
  const value = useMemo<SessionContextValue>(
    () => ({
      session,
      loading: query.isPending,
      can: (ability) => !!session?.abilities.includes(ability),
      login,
      logout,
    }),
    [session, query.isPending, login, logout],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}
