import type { EnterpriseFilters } from '../api/types';

export const FILTER_KEYS = ['q', 'town', 'industry', 'status', 'scale', 'tag'] as const;

export function filtersFromParams(params: URLSearchParams): EnterpriseFilters {
  const f: EnterpriseFilters = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  return f;
}

export function paramsFromFilters(
  filters: EnterpriseFilters,
  cursor?: string | null,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FILTER_KEYS) {
    const v = filters[k];
    if (v) out[k] = v;
  }
  if (cursor) out.cursor = cursor;
  return out;
}
