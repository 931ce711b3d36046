// After a bulk load the query planners need fresh statistics: without them PostgreSQL walks the
// name index for a rare substring (hundreds of ms) where a scan takes tens. Both dialects gather
// statistics with ANALYZE; it takes about a second at city scale.
import { sql } from 'kysely';
import type { Db } from './connect.js';

export async function refreshStatistics(db: Db) {
  await sql`ANALYZE`.execute(db);
}
