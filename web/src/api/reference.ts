/** Reference data (towns, industries) shared by many pages, cached for the session. */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from './client';
import type { Industry, ListOf, Town } from './types';

const DAY = 24 * 60 * 60_000;

export function useTowns() {
  return useQuery({
    queryKey: ['ref', 'towns'],
    queryFn: ({ signal }) => api.get<ListOf<Town>>('/api/v1/towns', undefined, signal),
    select: (d) => d.items,
    staleTime: DAY,
  });
}

export function useIndustries() {
  return useQuery({
    queryKey: ['ref', 'industries'],
    queryFn: ({ signal }) => api.get<ListOf<Industry>>('/api/v1/industries', undefined, signal),
    select: (d) => d.items,
    staleTime: DAY,
  });
}

export function useIsEnglish(): boolean {
  const { i18n } = useTranslation();
  return i18n.language.startsWith('en');
}

/** Names of towns and industries in the UI language, falling back to the name the server sent. */
export function useRefNames() {
  const en = useIsEnglish();
  const towns = useTowns().data;
  const industries = useIndustries().data;
  return useMemo(() => {
    const townByCode = new Map((towns ?? []).map((t) => [t.code, t]));
    const industryByCode = new Map((industries ?? []).map((i) => [i.code, i]));
    return {
      town(code: string | null | undefined, fallback?: string | null): string {
        if (!code) return fallback ?? '';
        const t = townByCode.get(code);
        return t ? (en ? t.nameEn || t.name : t.name) : (fallback ?? code);
      },
      /**
       * GB/T 4754 gives English names for the sections only: in English a division without one
       * shows its Chinese name with its section's English name, e.g. "通用设备制造业 (Manufacturing)".
       */
      industry(code: string | null | undefined, fallback?: string | null): string {
        if (!code) return fallback ?? '';
        const i = industryByCode.get(code);
        if (!i) return fallback ?? code;
        if (!en) return i.name;
        if (i.nameEn) return i.nameEn;
        const section = industryByCode.get(i.section)?.nameEn;
        return section ? `${i.name} (${section})` : i.name;
      },
    };
  }, [towns, industries, en]);
}
