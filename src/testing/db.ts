// Test databases: every DB test suite runs once per dialect in DIALECTS. SQLite always; PostgreSQL
// when TEST_POSTGRES_URL is set (and under CI=true it must be, see scripts/test.js). Each context is
// a fresh, migrated database: a temp file on SQLite, a new schema on PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Clock } from '../core/clock.js';
import { loadConfig } from '../core/config.js';
import { newId } from '../core/ids.js';
import { createRuntime, type Runtime } from '../runtime.js';

export type TestDialect = 'sqlite' | 'postgres';

// Tests play a reverse proxy on loopback, so they can vary the client address with X-Forwarded-For.
const TEST_PROXY = '127.0.0.1';

/** The advisory lock key that keeps test-schema drops apart from migrations (see testContext). */
const TEST_SCHEMA_LOCK = 7_204_201;

export const DIALECTS: TestDialect[] = process.env.TEST_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export async function testContext(dialect: TestDialect, opts: { clock?: Clock } = {}): Promise<Runtime> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-test-'));
    const config = loadConfig({
      DATABASE_URL: `sqlite:${path.join(dir, 'test.db')}`,
      TRUST_PROXY: TEST_PROXY,
    });
    const rt = await createRuntime(config, { clock: opts.clock });
    return {
      ...rt,
      close: async () => {
        await rt.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.TEST_POSTGRES_URL;
  if (!base) throw new Error('TEST_POSTGRES_URL is not set');
  const schema = `t_${newId().replaceAll('-', '').slice(-16)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const config = loadConfig({ DATABASE_URL: url.toString(), TRUST_PROXY: TEST_PROXY });
  // Kysely's migrator introspects every schema of the database (has_schema_privilege over
  // pg_namespace), so a suite dropping its schema at that moment makes another suite's migration
  // fail with "schema … does not exist". Migrations hold a shared lock, drops an exclusive one.
  // (Test databases only: the product itself takes no advisory locks.)
  const withLock = async (mode: 'shared' | 'exclusive', work: (c: pg.Client) => Promise<unknown>) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    const suffix = mode === 'shared' ? '_shared' : '';
    try {
      await c.query(`SELECT pg_advisory_lock${suffix}($1)`, [TEST_SCHEMA_LOCK]);
      await work(c);
    } finally {
      await c.query(`SELECT pg_advisory_unlock${suffix}($1)`, [TEST_SCHEMA_LOCK]).catch(() => {});
      await c.end();
    }
  };
  const drop = () => withLock('exclusive', (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  let rt: Runtime | undefined;
  try {
    await withLock('shared', async () => {
      rt = await createRuntime(config, { clock: opts.clock, poolSize: 4 });
    });
  } catch (err) {
    await drop();
    throw err;
  }
  if (!rt) throw new Error('unreachable: the runtime was not created');
  const runtime: Runtime = rt;
  return {
    ...runtime,
    close: async () => {
      await runtime.close();
      await drop();
    },
  };
}
