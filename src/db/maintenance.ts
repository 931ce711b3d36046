// After a bulk load the query planners need fresh statistics: without them PostgreSQL walks the
// name index for a rare substring (hundreds of ms) where a scan takes tens. Both dialects gather
// statistics with ANALYZE; it takes about a second at city scale. On SQLite the write-ahead log of
// the load is folded into the database file now, rather than by the first ordinary write after it.
import { sql } from 'kysely';
import type { Db, Dialect } from './connect.js';

export async function refreshStatistics(db: Db, dialect?: Dialect) {
  await sql`ANALYZE`.execute(db);
  if (dialect === 'sqlite') await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
}
