// Opens the database named by the config: embedded SQLite (better-sqlite3) or PostgreSQL (pg).

import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../core/config.js';
import { SAFETY_NET_PAGES, startCheckpointer } from './checkpointer.js';
import { DEFAULT_HEAVY_READS, type HeavyReadOptions, registerHeavyReads } from './read-pool.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type DbHandle = { db: Db; dialect: Dialect; close: () => Promise<void> };

// COUNT(*) and bigint columns come back from pg as strings; every count here fits a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(1700, (v) => Number.parseFloat(v));

/**
 * Kysely prepares every query afresh; on SQLite preparing costs more than running a small query.
 * The same SQL text (parameters are bound separately) reuses its prepared statement.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      const hit = cache.get(text);
      // a statement still being iterated (a stream) cannot run twice at once
      if (hit && !hit.busy) return hit;
      const stmt = sqlite.prepare(text);
      if (!hit) {
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

/**
 * Before ZHIHUI_STATE_DIR the default database was ./data/zhihui.db, beside the reference data the
 * product ships. When the configured file is the new default and does not exist yet while the old
 * one does, returns the old path, so that start-up can say so rather than begin an empty city.
 */
export function legacyDatabaseFile(config: DatabaseConfig, stateDir: string, cwd = process.cwd()) {
  if (config.dialect !== 'sqlite' || config.file !== path.join(stateDir, 'zhihui.db')) return null;
  const legacy = path.resolve(cwd, 'data', 'zhihui.db');
  return fs.existsSync(legacy) && !fs.existsSync(config.file) ? legacy : null;
}

export function openDatabase(
  config: DatabaseConfig,
  opts: { poolSize?: number; heavyReads?: Partial<HeavyReadOptions> } = {},
): DbHandle {
  if (config.dialect === 'sqlite') {
    if (config.file !== ':memory:') fs.mkdirSync(path.dirname(config.file), { recursive: true });
    const sqlite = new SQLite(config.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('cache_size = -65536');
    // the log is checkpointed by a worker thread, not inside a request's commit (db/checkpointer.ts)
    const checkpointer = config.file === ':memory:' ? null : startCheckpointer(config.file);
    if (checkpointer) sqlite.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    // slow reads (substring search) run in worker threads, off the event loop (db/read-pool.ts)
    const closeReads = registerHeavyReads(
      db,
      { dialect: 'sqlite', file: config.file },
      { ...DEFAULT_HEAVY_READS, ...opts.heavyReads },
    );
    return {
      db,
      dialect: 'sqlite',
      close: async () => {
        await closeReads();
        await checkpointer?.close();
        await db.destroy();
      },
    };
  }
  const poolSize = opts.poolSize ?? 10;
  const pool = new pg.Pool({ connectionString: config.connectionString, max: poolSize });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // heavy reads leave two connections free for everything else (health, sign-in, writes), and
  // no more wait than the pool has connections: the session look-ups of the requests let in go
  // through the same pool, ahead of a health check
  const closeReads = registerHeavyReads(
    db,
    { dialect: 'postgres' },
    { ...DEFAULT_HEAVY_READS, active: Math.max(1, poolSize - 2), queued: poolSize, ...opts.heavyReads },
  );
  return { db, dialect: 'postgres', close: () => closeReads().then(() => db.destroy()) };
}
