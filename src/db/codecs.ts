// The few places where SQLite and PostgreSQL differ, behind one small API.
import { type Expression, type SqlBool, sql } from 'kysely';
import type { Dialect } from './connect.js';

export const json = {
  write: (value: unknown): string => JSON.stringify(value ?? null),
  read: <T>(value: unknown, fallback: T): T => {
    if (value === null || value === undefined || value === '') return fallback;
    if (typeof value !== 'string') return value as T;
    try {
      return JSON.parse(value) as T;
    } catch {
      return fallback;
    }
  },
};

export const bool = {
  write: (v: boolean): number => (v ? 1 : 0),
  read: (v: unknown): boolean => v === 1 || v === true || v === '1',
};

/** Escapes % _ and \ so user text is matched literally inside LIKE. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Case-insensitive "contains" on both dialects. SQLite's LIKE already ignores ASCII case; on
 * PostgreSQL ILIKE is only needed when the text has cased letters (Chinese has none, and LIKE is
 * twice as fast). Both forms can use the pg_trgm index on PostgreSQL.
 */
export function containsText(dialect: Dialect, column: Expression<unknown>, needle: string) {
  // SQLite ends a LIKE pattern at a NUL (so '%\0…' matched every row) and PostgreSQL refuses one
  // in text: no stored text holds a NUL, so such a needle matches nothing, on both.
  if (needle.includes('\u0000')) return sql<SqlBool>`1 = 0`;
  const pattern = `%${escapeLike(needle)}%`;
  return dialect === 'postgres' && /[A-Za-z]/.test(needle)
    ? sql<SqlBool>`${column} ILIKE ${pattern} ESCAPE '\\'`
    : sql<SqlBool>`${column} LIKE ${pattern} ESCAPE '\\'`;
}

/** ISO-8601 UTC timestamp with milliseconds: fixed width, so text order is time order. */
export const isoNow = (d: Date): string => d.toISOString();
