import type { EnterpriseFilters } from '../api/types';

/** The list's filters: the API's, and the product category made (a node means all under it). */
export type RegistryFilters = EnterpriseFilters & { productCategory?: string };

export const FILTER_KEYS = ['q', 'town', 'industry', 'status', 'scale', 'tag', 'productCategory'] as const;

export function filtersFromParams(params: URLSearchParams): RegistryFilters {
  const f: RegistryFilters = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  return f;
}

export function paramsFromFilters(filters: RegistryFilters, cursor?: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FILTER_KEYS) {
    const v = filters[k];
    if (v) out[k] = v;
  }
  if (cursor) out.cursor = cursor;
  return out;
}
